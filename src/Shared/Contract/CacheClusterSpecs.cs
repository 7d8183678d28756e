using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>How the Redis-compatible cache is deployed.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum CacheMode
    {
        /// <summary>One node (the guide's create-cache-cluster).</summary>
        SingleNode,
        /// <summary>A primary plus replicas, failover, Multi-AZ, encryption in transit and at rest.</summary>
        ReplicationGroup,
        /// <summary>ElastiCache Serverless (TLS always).</summary>
        Serverless,
    }

    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum CacheEngine { Redis, Valkey }

    /// <summary>
    /// ElastiCache stores cluster ids, replication group ids and serverless cache names lower-case: so does this module,
    /// on input, so that ARNs, alarm names and dimensions and look-ups match what AWS reports.
    /// </summary>
    public static class CacheIds
    {
        /// <summary>The id as ElastiCache stores it (trimmed, lower-case); null stays null.</summary>
        public static string Normalize(string id) => id?.Trim().ToLowerInvariant();
    }

    /// <summary>What New-CacheCluster asks for.</summary>
    public sealed class CacheClusterSpec
    {
        public string CacheClusterId { get; init; }
        public CacheEngine Engine { get; init; } = CacheEngine.Redis;
        public string NodeType { get; init; } = "cache.t3.micro";
        public CacheMode Mode { get; init; } = CacheMode.SingleNode;
        /// <summary>Replicas besides the primary (ReplicationGroup mode).</summary>
        public int ReplicaCount { get; init; } = 1;
        /// <summary>Plain text only inside the engine call; never logged or echoed.</summary>
        public string AuthToken { get; init; }
        public string SubnetGroupName { get; init; }
        public string[] SecurityGroupIds { get; init; }
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public bool Wait { get; init; } = true;

        /// <summary>
        /// What is really created: CreateCacheCluster accepts only the engines memcached and redis, so a single Valkey
        /// node is a replication group of one node (no replica, so no failover; TLS and encryption at rest as every
        /// replication group here). Every other request is itself.
        /// </summary>
        public CacheClusterSpec Resolved() => Engine == CacheEngine.Valkey && Mode == CacheMode.SingleNode
            ? new CacheClusterSpec
            {
                CacheClusterId = CacheClusterId, Engine = Engine, NodeType = NodeType, Mode = CacheMode.ReplicationGroup, ReplicaCount = 0,
                AuthToken = AuthToken, SubnetGroupName = SubnetGroupName, SecurityGroupIds = SecurityGroupIds, Tags = Tags, Wait = Wait,
            }
            : this;
    }

}
