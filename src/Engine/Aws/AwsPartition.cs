using System;
using System.Management.Automation;
using Amazon;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// The AWS partition a region belongs to (aws, aws-cn, aws-us-gov, ...), as AWSSDK.Core's partition data knows it:
    /// the ARN prefix, the DNS suffix of its endpoints, and what CloudFront offers there. Every ARN and every endpoint
    /// the module builds comes from here, so cn-north-1 gets arn:aws-cn: and *.amazonaws.com.cn.
    /// </summary>
    internal sealed class AwsPartition
    {
        public const string Aws = "aws";
        public const string China = "aws-cn";
        public const string GovCloud = "aws-us-gov";

        private AwsPartition(string name, string dnsSuffix)
        {
            Name = name;
            DnsSuffix = dnsSuffix;
        }

        /// <summary>aws, aws-cn, aws-us-gov, aws-iso, ...</summary>
        public string Name { get; }

        /// <summary>amazonaws.com, amazonaws.com.cn, ...</summary>
        public string DnsSuffix { get; }

        public static AwsPartition Of(RegionEndpoint region) =>
            new AwsPartition(string.IsNullOrEmpty(region?.PartitionName) ? Aws : region.PartitionName,
                string.IsNullOrEmpty(region?.PartitionDnsSuffix) ? "amazonaws.com" : region.PartitionDnsSuffix);

        public static AwsPartition Of(string region) => Of(RegionEndpoint.GetBySystemName(region));

        /// <summary>arn:&lt;partition&gt;:&lt;service&gt;:&lt;region&gt;:&lt;account&gt;:&lt;resource&gt; (region and account may be empty).</summary>
        public string Arn(string service, string region, string account, string resource) =>
            $"arn:{Name}:{service}:{region}:{account}:{resource}";

        /// <summary>The standard regional endpoint https://&lt;service&gt;.&lt;region&gt;.&lt;dns suffix&gt;.</summary>
        public string Endpoint(string endpointPrefix, string region) => $"https://{endpointPrefix}.{region}.{DnsSuffix}";

        /// <summary>A bucket's S3 REST endpoint (virtual-hosted style), the CloudFront origin domain.</summary>
        public string S3RegionalDomainName(string bucket, string region) => $"{bucket}.s3.{region}.{DnsSuffix}";

        /// <summary>
        /// CloudFront's endpoint and signing region in this partition, or null where CloudFront does not exist. CloudFront is
        /// global in aws (us-east-1); the China partition has its own CloudFront, served from cn-northwest-1; GovCloud has none.
        /// </summary>
        public (string Endpoint, RegionEndpoint SigningRegion)? CloudFront => Name switch
        {
            Aws => ("https://cloudfront.amazonaws.com", RegionEndpoint.USEast1),
            China => ("https://cloudfront.cn-northwest-1.amazonaws.com.cn", RegionEndpoint.CNNorthWest1),
            _ => null,
        };

        /// <summary>Whether New-AssetCdn's design (origin access control, managed cache policy) is available here.</summary>
        public bool HasOriginAccessControl => Name == Aws;

        /// <summary>The refusal for CloudFront calls where CloudFront does not exist (before any call).</summary>
        public EcommerceException CloudFrontUnavailable(string region) =>
            new EcommerceException("CloudFrontNotInPartition", ErrorCategory.NotImplemented, region,
                $"CloudFront is not available in the {Name} partition (region {region}).",
                Name == GovCloud
                    ? "CloudFront lives outside AWS GovCloud (US): create the distribution from a standard AWS account, or run without a CDN (New-EcommerceStack -SkipCdn)."
                    : "Run without a CDN (New-EcommerceStack -SkipCdn).");

        /// <summary>The refusal of New-AssetCdn where CloudFront has no origin access control (before any call).</summary>
        public EcommerceException OriginAccessControlUnavailable(string region) =>
            new EcommerceException("CdnOriginAccessControlNotInPartition", ErrorCategory.NotImplemented, region,
                $"CloudFront in the {Name} partition (region {region}) offers no origin access control and no managed cache policies, which the private asset bucket's CDN is built on; nothing was created.",
                "Run New-EcommerceStack with -SkipCdn. Get-AssetCdn, Clear-AssetCdnCache and Remove-AssetCdn work with a distribution made otherwise (CloudFront China also needs an ICP-registered alternate domain name and an IAM server certificate).");
    }
}
