using System;
using System.Collections.Generic;

// Request/response shapes named and shaped like AWSSDK.ElastiCache's (Amazon.ElastiCache.Model), limited to the
// members this module uses, so the real package can replace this folder by changing a using.
namespace EcommerceAws.Engine.ElastiCache
{
    internal sealed class Tag
    {
        public string Key { get; set; }
        public string Value { get; set; }
    }

    internal sealed class Endpoint
    {
        public string Address { get; set; }
        public int? Port { get; set; }
    }

    internal sealed class CacheNode
    {
        public string CacheNodeId { get; set; }
        public string CacheNodeStatus { get; set; }
        public Endpoint Endpoint { get; set; }
    }

    internal sealed class CacheCluster
    {
        public string CacheClusterId { get; set; }
        public string ARN { get; set; }
        public string CacheClusterStatus { get; set; }
        public string CacheNodeType { get; set; }
        public string Engine { get; set; }
        public string EngineVersion { get; set; }
        public int? NumCacheNodes { get; set; }
        public string ReplicationGroupId { get; set; }
        public Endpoint ConfigurationEndpoint { get; set; }
        public List<CacheNode> CacheNodes { get; set; }
        public bool? TransitEncryptionEnabled { get; set; }
        public bool? AtRestEncryptionEnabled { get; set; }
        public bool? AuthTokenEnabled { get; set; }
        public DateTime? CacheClusterCreateTime { get; set; }
    }

    internal sealed class NodeGroup
    {
        public string NodeGroupId { get; set; }
        public string Status { get; set; }
        public Endpoint PrimaryEndpoint { get; set; }
        public Endpoint ReaderEndpoint { get; set; }
    }

    internal sealed class ReplicationGroup
    {
        public string ReplicationGroupId { get; set; }
        public string ARN { get; set; }
        public string Description { get; set; }
        public string Status { get; set; }
        public string Engine { get; set; }
        public string CacheNodeType { get; set; }
        public List<string> MemberClusters { get; set; }
        public List<NodeGroup> NodeGroups { get; set; }
        public Endpoint ConfigurationEndpoint { get; set; }
        public string AutomaticFailover { get; set; }
        public string MultiAZ { get; set; }
        public bool? ClusterEnabled { get; set; }
        public bool? TransitEncryptionEnabled { get; set; }
        public bool? AtRestEncryptionEnabled { get; set; }
        public bool? AuthTokenEnabled { get; set; }
    }

    internal sealed class ServerlessCache
    {
        public string ServerlessCacheName { get; set; }
        public string ARN { get; set; }
        public string Description { get; set; }
        public string Status { get; set; }
        public string Engine { get; set; }
        public string MajorEngineVersion { get; set; }
        public string FullEngineVersion { get; set; }
        public Endpoint Endpoint { get; set; }
        public Endpoint ReaderEndpoint { get; set; }
        public DateTime? CreateTime { get; set; }
        public CacheUsageLimits CacheUsageLimits { get; set; }
    }

    internal sealed class CacheUsageLimits { public DataStorage DataStorage { get; set; } }

    /// <summary>The serverless cache's storage limits, in <see cref="Unit"/> (GB).</summary>
    internal sealed class DataStorage
    {
        public int? Maximum { get; set; }
        public int? Minimum { get; set; }
        public string Unit { get; set; }
    }

    internal sealed class CreateCacheClusterRequest
    {
        public string CacheClusterId { get; set; }
        public string Engine { get; set; }
        public string EngineVersion { get; set; }
        public string CacheNodeType { get; set; }
        public int? NumCacheNodes { get; set; }
        public string CacheSubnetGroupName { get; set; }
        public List<string> SecurityGroupIds { get; set; }
        public List<Tag> Tags { get; set; }
    }

    internal sealed class CreateCacheClusterResponse { public CacheCluster CacheCluster { get; set; } }

    internal sealed class DescribeCacheClustersRequest
    {
        public string CacheClusterId { get; set; }
        public bool? ShowCacheNodeInfo { get; set; }
        public int? MaxRecords { get; set; }
        public string Marker { get; set; }
    }

    internal sealed class DescribeCacheClustersResponse
    {
        public List<CacheCluster> CacheClusters { get; set; } = new List<CacheCluster>();
        public string Marker { get; set; }
    }

    internal sealed class DeleteCacheClusterRequest
    {
        public string CacheClusterId { get; set; }
        public string FinalSnapshotIdentifier { get; set; }
    }

    internal sealed class DeleteCacheClusterResponse { public CacheCluster CacheCluster { get; set; } }

    internal sealed class CreateReplicationGroupRequest
    {
        public string ReplicationGroupId { get; set; }
        public string ReplicationGroupDescription { get; set; }
        public string Engine { get; set; }
        public string EngineVersion { get; set; }
        public string CacheNodeType { get; set; }
        public int? NumCacheClusters { get; set; }
        public bool? AutomaticFailoverEnabled { get; set; }
        public bool? MultiAZEnabled { get; set; }
        public bool? TransitEncryptionEnabled { get; set; }
        public bool? AtRestEncryptionEnabled { get; set; }
        /// <summary>Sent only in the request body; never logged.</summary>
        public string AuthToken { get; set; }
        public string CacheSubnetGroupName { get; set; }
        public List<string> SecurityGroupIds { get; set; }
        public List<Tag> Tags { get; set; }
    }

    internal sealed class CreateReplicationGroupResponse { public ReplicationGroup ReplicationGroup { get; set; } }

    internal sealed class DescribeReplicationGroupsRequest
    {
        public string ReplicationGroupId { get; set; }
        public int? MaxRecords { get; set; }
        public string Marker { get; set; }
    }

    internal sealed class DescribeReplicationGroupsResponse
    {
        public List<ReplicationGroup> ReplicationGroups { get; set; } = new List<ReplicationGroup>();
        public string Marker { get; set; }
    }

    internal sealed class DeleteReplicationGroupRequest
    {
        public string ReplicationGroupId { get; set; }
        public bool? RetainPrimaryCluster { get; set; }
        public string FinalSnapshotIdentifier { get; set; }
    }

    internal sealed class DeleteReplicationGroupResponse { public ReplicationGroup ReplicationGroup { get; set; } }

    internal sealed class CreateServerlessCacheRequest
    {
        public string ServerlessCacheName { get; set; }
        public string Description { get; set; }
        public string Engine { get; set; }
        public string MajorEngineVersion { get; set; }
        public List<string> SecurityGroupIds { get; set; }
        public List<string> SubnetIds { get; set; }
        public List<Tag> Tags { get; set; }
    }

    internal sealed class CreateServerlessCacheResponse { public ServerlessCache ServerlessCache { get; set; } }

    internal sealed class DescribeServerlessCachesRequest
    {
        public string ServerlessCacheName { get; set; }
        public int? MaxResults { get; set; }
        public string NextToken { get; set; }
    }

    internal sealed class DescribeServerlessCachesResponse
    {
        public List<ServerlessCache> ServerlessCaches { get; set; } = new List<ServerlessCache>();
        public string NextToken { get; set; }
    }

    internal sealed class DeleteServerlessCacheRequest
    {
        public string ServerlessCacheName { get; set; }
        public string FinalSnapshotName { get; set; }
    }

    internal sealed class DeleteServerlessCacheResponse { public ServerlessCache ServerlessCache { get; set; } }
}
