using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>What New-EcommerceStack asks for; null names derive from Name (&lt;name&gt;, &lt;name&gt;-assets, &lt;name&gt;-redis).</summary>
    public sealed class StackSpec
    {
        public string Name { get; init; }
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string CacheClusterId { get; init; }
        public BillingMode BillingMode { get; init; } = BillingMode.PayPerRequest;
        public string PriceClass { get; init; }
        public CacheMode CacheMode { get; init; } = CacheMode.SingleNode;
        public string NodeType { get; init; } = "cache.t3.micro";
        public bool SkipCdn { get; init; }
        public bool SkipCache { get; init; }
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public bool Wait { get; init; } = true;

        public string ResolvedTableName => TableName ?? Name;
        public string ResolvedBucketName => BucketName ?? Name + "-assets";
        public string ResolvedCacheClusterId => InputValidation.NormalizeCacheClusterId(CacheClusterId ?? Name + "-redis");
    }

    /// <summary>The parts of a stack, in the order Remove-EcommerceStack deletes them.</summary>
    [System.Flags]
    public enum StackParts
    {
        None = 0,
        Distribution = 1,
        Cache = 2,
        Bucket = 4,
        Table = 8,
        All = Distribution | Cache | Bucket | Table,
    }

    /// <summary>The whole stack: table, bucket, CDN, cache cluster (engine side), composed from the per-resource services.</summary>
    public interface IStackService
    {
        Task<EcommerceStack> CreateAsync(StackSpec spec, IOperationContext context);
        /// <summary>What exists of the stack; missing parts are left empty.</summary>
        Task<EcommerceStack> DescribeAsync(StackSpec names, IOperationContext context);
        /// <summary>
        /// Every refusal the deletion of these parts can be foreseen to meet (a non-empty bucket or a deletion-protected
        /// table without -Force, a cache ElastiCache cannot delete in its current state), by read-only checks; each entry
        /// names the resource, the reason and the way out. Empty when nothing stands in the way.
        /// </summary>
        Task<IReadOnlyList<string>> FindRemovalRefusalsAsync(EcommerceStack stack, StackParts parts, bool force, IOperationContext context);
        /// <summary>Deletes the parts that exist, in dependency order; a failure says exactly what was and was not deleted.</summary>
        Task RemoveAsync(EcommerceStack stack, StackParts parts, bool force, IOperationContext context);
    }
}
