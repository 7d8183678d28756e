using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>The shop's ElastiCache cache (a node, a replication group or a serverless cache). Binds by property name (-CacheClusterId).</summary>
    public sealed class CacheClusterInfo
    {
        public string CacheClusterId { get; init; }
        public CacheMode Mode { get; init; }
        public string Engine { get; init; }
        public string EngineVersion { get; init; }
        /// <summary>The node clusters of a replication group (primary and replicas); the cache itself for a single node; empty for serverless.</summary>
        public string[] MemberClusters { get; init; } = System.Array.Empty<string>();
        public string NodeType { get; init; }
        public string Status { get; init; }
        /// <summary>host:port of the primary (or configuration/serverless) endpoint; null when ElastiCache reports none.</summary>
        public string Endpoint { get; init; }
        public bool TransitEncryption { get; init; }
        /// <summary>redis://host:port or rediss://host:port (TLS), never with a token; empty when the endpoint is unknown.</summary>
        public string RedisUrl { get; init; } = string.Empty;
        public string Arn { get; init; }
        public string Region { get; init; }
        /// <summary>Serverless only: the cache's data storage maximum in GB when one is set (the memory alarm is a share of it); null otherwise.</summary>
        public int? DataStorageLimitGB { get; init; }
        /// <summary>True when New-CacheCluster found the cache already there and returned it.</summary>
        public bool AlreadyExisted { get; init; }
    }
}
