using System;

namespace EcommerceAws.Output
{
    /// <summary>A CloudFront cache invalidation made by Clear-AssetCdnCache.</summary>
    public sealed class CdnInvalidationInfo
    {
        public string DistributionId { get; init; }
        public string InvalidationId { get; init; }
        /// <summary>InProgress or Completed.</summary>
        public string Status { get; init; }
        public string[] Paths { get; init; } = Array.Empty<string>();
        public DateTime? CreatedAt { get; init; }
    }
}
