using System;

namespace EcommerceAws.Output
{
    /// <summary>The CloudFront distribution serving the asset bucket. Binds by property name (-DistributionId) into Clear-AssetCdnCache and Remove-AssetCdn.</summary>
    public sealed class AssetCdnInfo
    {
        public string DistributionId { get; init; }
        public string DomainName { get; init; }
        /// <summary>https://&lt;DomainName&gt; — the guide's CLOUDFRONT_URL.</summary>
        public string Url { get; init; }
        public string Arn { get; init; }
        /// <summary>InProgress or Deployed.</summary>
        public string Status { get; init; }
        public bool Enabled { get; init; }
        public string BucketName { get; init; }
        public string OriginAccessControlId { get; init; }
        public string PriceClass { get; init; }
        public string[] Aliases { get; init; } = Array.Empty<string>();
        public string Comment { get; init; }
        /// <summary>True when New-AssetCdn found the bucket's distribution already there and returned it.</summary>
        public bool AlreadyExisted { get; init; }
        /// <summary>What New-AssetCdn changed on an existing distribution to match the request ("Member: old -> new"); empty when nothing was changed.</summary>
        public string[] Changes { get; init; } = Array.Empty<string>();
        /// <summary>For a bucket encrypted with a customer managed KMS key: the statement its key policy needs so this distribution can decrypt (New-AssetCdn warns); null otherwise.</summary>
        public string KmsKeyPolicyStatement { get; init; }
    }
}
