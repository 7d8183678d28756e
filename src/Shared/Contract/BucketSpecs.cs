using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>What New-AssetBucket asks for (issue 3 §1).</summary>
    public sealed class BucketSpec
    {
        public string BucketName { get; init; }
        /// <summary>A KMS key for SSE-KMS; null means SSE-S3 (AES256).</summary>
        public string KmsKeyId { get; init; }
        /// <summary>Days after which noncurrent object versions expire.</summary>
        public int NoncurrentVersionDays { get; init; } = 30;
        /// <summary>Origins allowed to GET/HEAD with CORS; null or empty means no CORS configuration.</summary>
        public string[] AllowedOrigin { get; init; }
        /// <summary>The guide's public-read policy (opt-in): lifts BlockPublicPolicy and RestrictPublicBuckets.</summary>
        public bool AllowPublicRead { get; init; }
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    }

}
