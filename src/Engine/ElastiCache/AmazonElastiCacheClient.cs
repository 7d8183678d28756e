using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.ElastiCache
{
    /// <summary>
    /// ElastiCache over the Query protocol (Version 2015-02-02) on the shared signed transport: signing name
    /// <c>elasticache</c>, endpoint override AWS_ENDPOINT_URL_ELASTICACHE. Errors surface as AmazonServiceException.
    /// </summary>
    internal sealed class AmazonElastiCacheClient : IAmazonElastiCache
    {
        public const string ApiVersion = "2015-02-02";
        private readonly QueryProtocolClient query;

        public AmazonElastiCacheClient(AwsOptions options)
            : this(new SignedServiceClient(options, "elasticache", "ELASTICACHE", region => AwsPartition.Of(region).Endpoint("elasticache", region.SystemName)))
        {
        }

        public AmazonElastiCacheClient(SignedServiceClient transport) => query = new QueryProtocolClient(transport, ApiVersion);

        public SignedServiceClient Transport => query.Transport;

        public async Task<CreateCacheClusterResponse> CreateCacheClusterAsync(CreateCacheClusterRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("CacheClusterId", request.CacheClusterId)
                .Add("Engine", request.Engine)
                .Add("EngineVersion", request.EngineVersion)
                .Add("CacheNodeType", request.CacheNodeType)
                .Add("NumCacheNodes", request.NumCacheNodes)
                .Add("CacheSubnetGroupName", request.CacheSubnetGroupName)
                .AddList("SecurityGroupIds", "SecurityGroupId", request.SecurityGroupIds)
                .AddList("Tags", "Tag", request.Tags, TagFields);
            XElement result = await query.InvokeAsync("CreateCacheCluster", fields, cancellationToken).ConfigureAwait(false);
            return new CreateCacheClusterResponse { CacheCluster = ReadCacheCluster(result.Child("CacheCluster")) };
        }

        public async Task<DescribeCacheClustersResponse> DescribeCacheClustersAsync(DescribeCacheClustersRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("CacheClusterId", request.CacheClusterId)
                .Add("ShowCacheNodeInfo", request.ShowCacheNodeInfo)
                .Add("MaxRecords", request.MaxRecords)
                .Add("Marker", request.Marker);
            XElement result = await query.InvokeAsync("DescribeCacheClusters", fields, cancellationToken).ConfigureAwait(false);
            return new DescribeCacheClustersResponse
            {
                CacheClusters = result.Items("CacheClusters").Select(ReadCacheCluster).ToList(),
                Marker = result.Text("Marker"),
            };
        }

        public async Task<DeleteCacheClusterResponse> DeleteCacheClusterAsync(DeleteCacheClusterRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("CacheClusterId", request.CacheClusterId)
                .Add("FinalSnapshotIdentifier", request.FinalSnapshotIdentifier);
            XElement result = await query.InvokeAsync("DeleteCacheCluster", fields, cancellationToken).ConfigureAwait(false);
            return new DeleteCacheClusterResponse { CacheCluster = ReadCacheCluster(result.Child("CacheCluster")) };
        }

        public async Task<CreateReplicationGroupResponse> CreateReplicationGroupAsync(CreateReplicationGroupRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ReplicationGroupId", request.ReplicationGroupId)
                .Add("ReplicationGroupDescription", request.ReplicationGroupDescription)
                .Add("Engine", request.Engine)
                .Add("EngineVersion", request.EngineVersion)
                .Add("CacheNodeType", request.CacheNodeType)
                .Add("NumCacheClusters", request.NumCacheClusters)
                .Add("AutomaticFailoverEnabled", request.AutomaticFailoverEnabled)
                .Add("MultiAZEnabled", request.MultiAZEnabled)
                .Add("TransitEncryptionEnabled", request.TransitEncryptionEnabled)
                .Add("AtRestEncryptionEnabled", request.AtRestEncryptionEnabled)
                .Add("AuthToken", request.AuthToken)
                .Add("CacheSubnetGroupName", request.CacheSubnetGroupName)
                .AddList("SecurityGroupIds", "SecurityGroupId", request.SecurityGroupIds)
                .AddList("Tags", "Tag", request.Tags, TagFields);
            XElement result = await query.InvokeAsync("CreateReplicationGroup", fields, cancellationToken).ConfigureAwait(false);
            return new CreateReplicationGroupResponse { ReplicationGroup = ReadReplicationGroup(result.Child("ReplicationGroup")) };
        }

        public async Task<DescribeReplicationGroupsResponse> DescribeReplicationGroupsAsync(DescribeReplicationGroupsRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ReplicationGroupId", request.ReplicationGroupId)
                .Add("MaxRecords", request.MaxRecords)
                .Add("Marker", request.Marker);
            XElement result = await query.InvokeAsync("DescribeReplicationGroups", fields, cancellationToken).ConfigureAwait(false);
            return new DescribeReplicationGroupsResponse
            {
                ReplicationGroups = result.Items("ReplicationGroups").Select(ReadReplicationGroup).ToList(),
                Marker = result.Text("Marker"),
            };
        }

        public async Task<DeleteReplicationGroupResponse> DeleteReplicationGroupAsync(DeleteReplicationGroupRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ReplicationGroupId", request.ReplicationGroupId)
                .Add("RetainPrimaryCluster", request.RetainPrimaryCluster)
                .Add("FinalSnapshotIdentifier", request.FinalSnapshotIdentifier);
            XElement result = await query.InvokeAsync("DeleteReplicationGroup", fields, cancellationToken).ConfigureAwait(false);
            return new DeleteReplicationGroupResponse { ReplicationGroup = ReadReplicationGroup(result.Child("ReplicationGroup")) };
        }

        public async Task<CreateServerlessCacheResponse> CreateServerlessCacheAsync(CreateServerlessCacheRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ServerlessCacheName", request.ServerlessCacheName)
                .Add("Description", request.Description)
                .Add("Engine", request.Engine)
                .Add("MajorEngineVersion", request.MajorEngineVersion)
                .AddList("SecurityGroupIds", "SecurityGroupId", request.SecurityGroupIds)
                .AddList("SubnetIds", "SubnetId", request.SubnetIds)
                .AddList("Tags", "Tag", request.Tags, TagFields);
            XElement result = await query.InvokeAsync("CreateServerlessCache", fields, cancellationToken).ConfigureAwait(false);
            return new CreateServerlessCacheResponse { ServerlessCache = ReadServerlessCache(result.Child("ServerlessCache")) };
        }

        public async Task<DescribeServerlessCachesResponse> DescribeServerlessCachesAsync(DescribeServerlessCachesRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ServerlessCacheName", request.ServerlessCacheName)
                .Add("MaxResults", request.MaxResults)
                .Add("NextToken", request.NextToken);
            XElement result = await query.InvokeAsync("DescribeServerlessCaches", fields, cancellationToken).ConfigureAwait(false);
            return new DescribeServerlessCachesResponse
            {
                ServerlessCaches = result.Items("ServerlessCaches").Select(ReadServerlessCache).ToList(),
                NextToken = result.Text("NextToken"),
            };
        }

        public async Task<DeleteServerlessCacheResponse> DeleteServerlessCacheAsync(DeleteServerlessCacheRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("ServerlessCacheName", request.ServerlessCacheName)
                .Add("FinalSnapshotName", request.FinalSnapshotName);
            XElement result = await query.InvokeAsync("DeleteServerlessCache", fields, cancellationToken).ConfigureAwait(false);
            return new DeleteServerlessCacheResponse { ServerlessCache = ReadServerlessCache(result.Child("ServerlessCache")) };
        }

        public void Dispose() => query.Dispose();

        private static IEnumerable<KeyValuePair<string, string>> TagFields(Tag tag) => new[]
        {
            new KeyValuePair<string, string>("Key", tag.Key),
            new KeyValuePair<string, string>("Value", tag.Value),
        };

        private static CacheCluster ReadCacheCluster(XElement e) => e == null ? null : new CacheCluster
        {
            CacheClusterId = e.Text("CacheClusterId"),
            ARN = e.Text("ARN"),
            CacheClusterStatus = e.Text("CacheClusterStatus"),
            CacheNodeType = e.Text("CacheNodeType"),
            Engine = e.Text("Engine"),
            EngineVersion = e.Text("EngineVersion"),
            NumCacheNodes = ReadInt(e.Text("NumCacheNodes")),
            ReplicationGroupId = e.Text("ReplicationGroupId"),
            ConfigurationEndpoint = ReadEndpoint(e.Child("ConfigurationEndpoint")),
            CacheNodes = e.Items("CacheNodes").Select(n => new CacheNode
            {
                CacheNodeId = n.Text("CacheNodeId"),
                CacheNodeStatus = n.Text("CacheNodeStatus"),
                Endpoint = ReadEndpoint(n.Child("Endpoint")),
            }).ToList(),
            TransitEncryptionEnabled = ReadBool(e.Text("TransitEncryptionEnabled")),
            AtRestEncryptionEnabled = ReadBool(e.Text("AtRestEncryptionEnabled")),
            AuthTokenEnabled = ReadBool(e.Text("AuthTokenEnabled")),
            CacheClusterCreateTime = ReadDate(e.Text("CacheClusterCreateTime")),
        };

        private static ReplicationGroup ReadReplicationGroup(XElement e) => e == null ? null : new ReplicationGroup
        {
            ReplicationGroupId = e.Text("ReplicationGroupId"),
            ARN = e.Text("ARN"),
            Description = e.Text("Description"),
            Status = e.Text("Status"),
            Engine = e.Text("Engine"),
            CacheNodeType = e.Text("CacheNodeType"),
            MemberClusters = e.Items("MemberClusters").Select(m => m.Value).ToList(),
            NodeGroups = e.Items("NodeGroups").Select(g => new NodeGroup
            {
                NodeGroupId = g.Text("NodeGroupId"),
                Status = g.Text("Status"),
                PrimaryEndpoint = ReadEndpoint(g.Child("PrimaryEndpoint")),
                ReaderEndpoint = ReadEndpoint(g.Child("ReaderEndpoint")),
            }).ToList(),
            ConfigurationEndpoint = ReadEndpoint(e.Child("ConfigurationEndpoint")),
            AutomaticFailover = e.Text("AutomaticFailover"),
            MultiAZ = e.Text("MultiAZ"),
            ClusterEnabled = ReadBool(e.Text("ClusterEnabled")),
            TransitEncryptionEnabled = ReadBool(e.Text("TransitEncryptionEnabled")),
            AtRestEncryptionEnabled = ReadBool(e.Text("AtRestEncryptionEnabled")),
            AuthTokenEnabled = ReadBool(e.Text("AuthTokenEnabled")),
        };

        private static ServerlessCache ReadServerlessCache(XElement e) => e == null ? null : new ServerlessCache
        {
            ServerlessCacheName = e.Text("ServerlessCacheName"),
            ARN = e.Text("ARN"),
            Description = e.Text("Description"),
            Status = e.Text("Status"),
            Engine = e.Text("Engine"),
            MajorEngineVersion = e.Text("MajorEngineVersion"),
            FullEngineVersion = e.Text("FullEngineVersion"),
            Endpoint = ReadEndpoint(e.Child("Endpoint")),
            ReaderEndpoint = ReadEndpoint(e.Child("ReaderEndpoint")),
            CreateTime = ReadDate(e.Text("CreateTime")),
            CacheUsageLimits = e.Child("CacheUsageLimits")?.Child("DataStorage") is XElement storage
                ? new CacheUsageLimits
                {
                    DataStorage = new DataStorage { Maximum = ReadInt(storage.Text("Maximum")), Minimum = ReadInt(storage.Text("Minimum")), Unit = storage.Text("Unit") },
                }
                : null,
        };

        private static Endpoint ReadEndpoint(XElement e) =>
            e == null || string.IsNullOrEmpty(e.Text("Address")) ? null : new Endpoint { Address = e.Text("Address"), Port = ReadInt(e.Text("Port")) };

        private static int? ReadInt(string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

        private static bool? ReadBool(string text) => bool.TryParse(text, out bool value) ? value : null;

        private static DateTime? ReadDate(string text) =>
            DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime value) ? value : null;
    }
}
