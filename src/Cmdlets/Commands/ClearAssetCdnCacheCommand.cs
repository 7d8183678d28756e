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
    /// <para>-Wait waits until the invalidation is Completed, with a progress bar (usually under a minute or two on AWS).</para>
    /// </remarks>
    /// <example>
    /// <code>Get-AssetCdn -BucketName ecommerce-cameroon-assets | Clear-AssetCdnCache -Path '/images/products/*' -Wait</code>
    /// <para>Refreshes every product image on the CDN and waits until the edges have dropped them.</para>
    /// </example>
    /// <example>
    /// <code>Clear-AssetCdnCache -DistributionId E2QWRUHAPOMQZL</code>
    /// <para>Invalidates everything ('/*') and returns at once.</para>
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

        /// <summary><para>Wait until the invalidation is Completed.</para></summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.DistributionId(DistributionId));
            foreach (string path in Path) CheckInput(() => AssetInputValidation.InvalidationPath(path));
            if (!ShouldProcess(DistributionId, $"Invalidate {string.Join(", ", Path)} on CloudFront")) return;
            WriteObject(Run(context => new CdnService().InvalidateAsync(DistributionId, Path, Wait, context)));
        }
    }
}
