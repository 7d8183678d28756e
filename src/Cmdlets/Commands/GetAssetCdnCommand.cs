using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets the CloudFront distribution of an asset bucket, by bucket or by distribution id.</summary>
    /// <remarks>
    /// <para>Returns an AssetCdnInfo: id, domain name and https URL (the guide's CLOUDFRONT_URL), ARN, status (InProgress or Deployed), the bucket it serves, the Origin Access Control, price class and aliases.</para>
    /// <para>-BucketName finds the distribution whose origin is the bucket's S3 REST endpoint; none is a non-terminating CdnNotFound error. -DistributionId that does not exist is a non-terminating DistributionNotFound error.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-AssetCdn -BucketName ecommerce-cameroon-assets | Select-Object Url, Status</code>
    /// <para>Shows the CDN URL of the shop's assets and whether it is deployed.</para>
    /// </example>
    /// <example>
    /// <code>Get-AssetCdn -DistributionId E2QWRUHAPOMQZL</code>
    /// <para>Gets one distribution by its id.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "AssetCdn", DefaultParameterSetName = ByBucket)]
    [OutputType(typeof(AssetCdnInfo))]
    public sealed class GetAssetCdnCommand : AwsCmdlet
    {
        private const string ByBucket = ParameterSets.ByBucketName;
        private const string ById = ParameterSets.ByDistributionId;

        /// <summary><para>The asset bucket whose distribution to get.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByBucket, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The distribution id, such as E2QWRUHAPOMQZL.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DistributionIdCompleter))]
        public string DistributionId { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ById)
            {
                CheckInput(() => AssetInputValidation.DistributionId(DistributionId));
                AssetCdnInfo info = Run(context => new CdnService().DescribeAsync(DistributionId, context));
                if (info != null) WriteObject(info);
                else WriteError(EcommerceErrors.DistributionNotFound(DistributionId).ToErrorRecord());
                return;
            }
            CheckInput(() => AssetInputValidation.BucketName(BucketName));
            AssetCdnInfo found = Run(context => new CdnService().FindByBucketAsync(BucketName, context));
            if (found != null) WriteObject(found);
            else WriteError(new EcommerceException("CdnNotFound", ErrorCategory.ObjectNotFound, BucketName,
                $"No CloudFront distribution serves bucket '{BucketName}'.", "Create one with New-AssetCdn -BucketName " + BucketName + ".").ToErrorRecord());
        }
    }
}
