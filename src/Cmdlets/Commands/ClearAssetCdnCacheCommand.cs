using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Invalidates cached asset paths on the CloudFront distribution so edges fetch them again from the bucket.</summary>
    /// <remarks>
    /// <para>Creates one CloudFront invalidation for the given paths (default '/*', everything) and returns it. Paths start with '/' and may end with one '*'. The first 1,000 invalidated paths a month are free; a wildcard counts as one path.</para>
    /// <para>It waits until the invalidation is Completed, with a progress bar (usually under a minute or two on AWS); -NoWait returns the invalidation as soon as CloudFront has accepted it (status InProgress). Every cmdlet that starts a long AWS operation waits by default and takes -NoWait.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-AssetCdn -BucketName ecommerce-cameroon-assets | Clear-AssetCdnCache -Path '/images/products/*'</code>
    /// <para>Refreshes every product image on the CDN and waits until the edges have dropped them.</para>
    /// </example>
    /// <example>
    /// <code>Clear-AssetCdnCache -DistributionId E2QWRUHAPOMQZL -NoWait</code>
    /// <para>Invalidates everything ('/*') and returns at once, without waiting for the edges.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Clear, "AssetCdnCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(CdnInvalidationInfo))]
    public sealed class ClearAssetCdnCacheCommand : AwsCmdlet
    {
        /// <summary><para>The distribution id (binds from Get-AssetCdn / New-AssetCdn output).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DistributionIdCompleter))]
        public string DistributionId { get; set; }

        /// <summary><para>Paths to invalidate, each starting with '/', optionally ending with '*'. Default '/*'.</para></summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = { "/*" };

        /// <summary><para>Return as soon as CloudFront has accepted the invalidation instead of waiting until it is Completed.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        /// <summary><para>Accepted for scripts written before waiting became the default; it changes nothing.</para></summary>
        [Parameter(DontShow = true)]
        public SwitchParameter Wait { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.DistributionId(DistributionId));
            foreach (string path in Path) CheckInput(() => AssetInputValidation.InvalidationPath(path));
            if (!ShouldProcess(DistributionId, $"Invalidate {string.Join(", ", Path)} on CloudFront")) return;
            WriteObject(Run(context => new CdnService().InvalidateAsync(DistributionId, Path, !NoWait, context)));
        }
    }
}
