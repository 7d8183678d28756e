namespace EcommerceAws.Output
{
    /// <summary>
    /// The resources of one shop on AWS. Its property names bind into the per-resource cmdlets
    /// (TableName, BucketName, DistributionId, CacheClusterId, RedisUrl, CdnDomain).
    /// </summary>
    public sealed class EcommerceStack
    {
        public string Name { get; init; }
        public string Region { get; init; }
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string DistributionId { get; init; }
        public string CdnDomain { get; init; }
        public string CdnUrl { get; init; }
        public string CacheClusterId { get; init; }
        /// <summary>redis:// or rediss:// without any token; empty when the endpoint is not known.</summary>
        public string RedisUrl { get; init; }
        /// <summary>One line per resource: what was found or created.</summary>
        public string[] Resources { get; init; } = System.Array.Empty<string>();
    }

    /// <summary>The guide's Step 2 variables for the app (never any secret key).</summary>
    public sealed class EcommerceEnvironment
    {
        public string AWS_REGION { get; init; }
        public string DYNAMODB_TABLE { get; init; }
        public string S3_BUCKET_NAME { get; init; }
        public string CLOUDFRONT_URL { get; init; }
        public string REDIS_URL { get; init; }

        /// <summary>Name/value pairs in the guide's order; empty values included so a .env shows what is missing.</summary>
        public System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, string>> Variables() => new[]
        {
            Pair(nameof(AWS_REGION), AWS_REGION),
            Pair(nameof(DYNAMODB_TABLE), DYNAMODB_TABLE),
            Pair(nameof(S3_BUCKET_NAME), S3_BUCKET_NAME),
            Pair(nameof(CLOUDFRONT_URL), CLOUDFRONT_URL),
            Pair(nameof(REDIS_URL), REDIS_URL),
        };

        private static System.Collections.Generic.KeyValuePair<string, string> Pair(string key, string value) => new(key, value ?? string.Empty);
    }

    /// <summary>What Export-EcommerceEnvFile did to a .env file.</summary>
    public sealed class EnvFileResult
    {
        public string Path { get; init; }
        public string[] Added { get; init; } = System.Array.Empty<string>();
        public string[] Updated { get; init; } = System.Array.Empty<string>();
        public string[] Unchanged { get; init; } = System.Array.Empty<string>();
    }
}
