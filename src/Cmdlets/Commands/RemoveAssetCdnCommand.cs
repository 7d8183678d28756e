using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Disables and deletes an asset CloudFront distribution, its bucket policy statement and its Origin Access Control.</summary>
    /// <remarks>
    /// <para>CloudFront deletes only disabled, deployed distributions, so the command disables the distribution, waits until the change is deployed (5-15 minutes on AWS, with a progress bar), deletes it, removes the EcommerceAwsCloudFrontRead statement for it from the bucket policy (other statements are kept) and deletes the bucket's Origin Access Control when nothing else uses it. The bucket and its objects are not touched.</para>
    /// <para>Asks for confirmation (ConfirmImpact High). With -NoWait it only disables the distribution when it is not yet deletable; run it again later to finish. A distribution that does not exist is an error (DistributionNotFound).</para>
    /// </remarks>
    /// <example>
    /// <code>Get-AssetCdn -BucketName ecommerce-staging-assets | Remove-AssetCdn -Confirm:$false</code>
    /// <para>Removes the staging bucket's CDN without asking.</para>
    /// </example>
    /// <example>
    /// <code>Remove-AssetCdn -DistributionId E2QWRUHAPOMQZL -WhatIf</code>
    /// <para>Shows what would be removed, removing nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "AssetCdn", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveAssetCdnCommand : AwsCmdlet
    {
        /// <summary><para>The distribution id (binds from Get-AssetCdn / New-AssetCdn output).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DistributionIdCompleter))]
        public string DistributionId { get; set; }

        /// <summary><para>Only disable the distribution if it cannot be deleted yet, instead of waiting for the change to deploy.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.DistributionId(DistributionId));
            if (!ShouldProcess(DistributionId, "Disable and delete CloudFront distribution, its bucket policy statement and its Origin Access Control")) return;
            Run(context => new CdnService().RemoveAsync(DistributionId, !NoWait, context));
        }
    }
}
