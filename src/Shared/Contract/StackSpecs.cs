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
        public string ResolvedCacheClusterId => CacheIds.Normalize(CacheClusterId ?? Name + "-redis");
    }

    /// <summary>The parts of a stack, in the order Remove-EcommerceStack deletes them.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
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

}
