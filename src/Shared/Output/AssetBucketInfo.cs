using System;

namespace EcommerceAws.Output
{
    /// <summary>The asset bucket of an EcommerceAws stack. Binds by property name (-BucketName) into New-AssetCdn.</summary>
    public sealed class AssetBucketInfo
    {
        public string BucketName { get; init; }
        public string Region { get; init; }
        public string Arn { get; init; }
        /// <summary>The S3 REST endpoint, &lt;bucket&gt;.s3.&lt;region&gt;.amazonaws.com (the CloudFront origin).</summary>
        public string RegionalDomainName { get; init; }
        /// <summary>Enabled, Suspended or Off.</summary>
        public string Versioning { get; init; }
        /// <summary>AES256 (SSE-S3), aws:kms (with the key id when one is set) or None.</summary>
        public string Encryption { get; init; }
        /// <summary>True when all four Block Public Access flags are on.</summary>
        public bool PublicAccessBlocked { get; init; }
        public string[] PolicyStatementIds { get; init; } = Array.Empty<string>();
        public DateTime? CreatedAt { get; init; }
        /// <summary>True when New-AssetBucket found the bucket already there (and reconciled it).</summary>
        public bool AlreadyExisted { get; init; }
    }
}
