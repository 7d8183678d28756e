using System;

namespace EcommerceAws.Output
{
    /// <summary>What Clear-EcommerceCache or Initialize-EcommerceCache did to the Redis cache.</summary>
    public sealed class CacheOperationResult
    {
        /// <summary>Clear or Warm.</summary>
        public string Operation { get; init; }
        /// <summary>The Redis URL with any token masked.</summary>
        public string RedisUrl { get; init; }
        public string[] Patterns { get; init; } = Array.Empty<string>();
        public long KeysDeleted { get; init; }
        public long KeysWritten { get; init; }
        public long Products { get; init; }
        public long Categories { get; init; }
        public string TableName { get; init; }
        public TimeSpan Duration { get; init; }
    }
}
