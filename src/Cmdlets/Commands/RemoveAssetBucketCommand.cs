using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes an asset bucket; with -Force, every object version in it first.</summary>
    /// <remarks>
    /// <para>Asks for confirmation (ConfirmImpact High). A bucket that still holds objects, object versions or delete markers is refused with BucketNotEmpty and left untouched, unless -Force is given: then every version and delete marker is deleted in batches of 1000, with a progress bar, and the bucket after them. Deleted assets cannot be recovered.</para>
    /// <para>Remove the CloudFront distribution first (Remove-AssetCdn) if one serves the bucket. A bucket that does not exist is an error (BucketNotFound).</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-AssetBucket -BucketName ecommerce-staging-assets -Force -Confirm:$false</code>
    /// <para>Empties the staging bucket (all versions) and deletes it without asking.</para>
    /// </example>
    /// <example>
    /// <code>Get-AssetBucket ecommerce-staging-assets | Remove-AssetBucket -Force -WhatIf</code>
    /// <para>Shows what would be deleted, deleting nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "AssetBucket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveAssetBucketCommand : AwsCmdlet
    {
        /// <summary><para>Name of the bucket to delete.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>Delete every object version and delete marker first. Without it a non-empty bucket is not deleted.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.BucketName(BucketName));
            string action = Force ? "Delete every object version, then the S3 bucket" : "Delete the S3 bucket (only if empty)";
            if (!ShouldProcess(BucketName, action)) return;
            Run(context => new BucketService().RemoveAsync(BucketName, Force, context));
        }
    }
}
