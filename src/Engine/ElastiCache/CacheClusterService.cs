using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading.Tasks;
using System;
using Amazon.Runtime;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.ElastiCache
{
    /// <summary>
    /// The shop's Redis-compatible cache in one of three shapes (a single node, a replication group, a serverless
    /// cache), all addressed by one id; idempotent create, wait for <c>available</c>, and endpoint → REDIS_URL.
    /// </summary>
    public sealed class CacheClusterService
    {
        private static readonly TimeSpan WaitTimeout = TimeSpan.FromMinutes(40);
        private const string Available = "available";
        private const string Deleting = "deleting";

        public async Task<CacheClusterInfo> CreateAsync(CacheClusterSpec spec, IOperationContext context)
        {
            InputValidation.CacheClusterId(spec.CacheClusterId);
            if (spec.AuthToken != null) InputValidation.CacheAuthToken(spec.AuthToken);
            CacheClusterSpec requested = spec;
            spec = spec.Resolved();
            if (spec.Mode != requested.Mode)
                context.WriteVerbose($"A single {EngineName(spec.Engine)} node is created as a replication group of one node: CreateCacheCluster accepts only the engines memcached and redis.");
            string id = CacheIds.Normalize(spec.CacheClusterId);
            using var client = new AmazonElastiCacheClient(context.Aws);
            string region = client.Transport.Region.SystemName;
            context.WriteWarning($"ElastiCache endpoints are reachable only from inside their VPC: an app hosted outside AWS (for example on Railway) cannot connect to '{id}' without a VPN, VPC peering or a tunnel through a host in that VPC.");

            FoundCache found = await FindAsync(client, id, context, warnWhenServerlessUnknown: false).ConfigureAwait(false);
            bool alreadyExisted = found != null;
            if (alreadyExisted)
            {
                CheckReusable(found, spec, context);
                context.WriteVerbose($"{found.Mode} cache '{id}' already exists ({found.Status}); reusing it.");
            }
            else
            {
                found = await CreateByModeAsync(client, spec, context).ConfigureAwait(false);
            }

            if (spec.Wait && found.Status != Available)
                found = await WaitForStatusAsync(client, id, found.Mode, context).ConfigureAwait(false);
            return await ToInfoAsync(client, found, region, alreadyExisted, context).ConfigureAwait(false);
        }

        public async Task<CacheClusterInfo> DescribeAsync(string cacheClusterId, IOperationContext context)
        {
            InputValidation.CacheClusterId(cacheClusterId);
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            using var client = new AmazonElastiCacheClient(context.Aws);
            FoundCache found = await FindAsync(client, cacheClusterId, context, warnWhenServerlessUnknown: true).ConfigureAwait(false);
            return found == null ? null : await ToInfoAsync(client, found, client.Transport.Region.SystemName, false, context).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string cacheClusterId, bool wait, IOperationContext context)
        {
            InputValidation.CacheClusterId(cacheClusterId);
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            using var client = new AmazonElastiCacheClient(context.Aws);
            FoundCache found = await FindAsync(client, cacheClusterId, context, warnWhenServerlessUnknown: false).ConfigureAwait(false)
                ?? throw EcommerceErrors.CacheClusterNotFound(cacheClusterId);
            if (found.Status == Deleting)
            {
                context.WriteVerbose($"{found.Mode} cache '{cacheClusterId}' is already being deleted.");
            }
            else
            {
                context.WriteVerbose($"Deleting {found.Mode} cache '{cacheClusterId}'.");
                switch (found.Mode)
                {
                    case CacheMode.SingleNode:
                        await SignedCall.Run(() => client.DeleteCacheClusterAsync(new DeleteCacheClusterRequest { CacheClusterId = cacheClusterId }, context.Cancellation),
                            "DeleteCacheCluster", cacheClusterId).ConfigureAwait(false);
                        break;
                    case CacheMode.ReplicationGroup:
                        await SignedCall.Run(() => client.DeleteReplicationGroupAsync(new DeleteReplicationGroupRequest { ReplicationGroupId = cacheClusterId, RetainPrimaryCluster = false }, context.Cancellation),
                            "DeleteReplicationGroup", cacheClusterId).ConfigureAwait(false);
                        break;
                    default:
                        await SignedCall.Run(() => client.DeleteServerlessCacheAsync(new DeleteServerlessCacheRequest { ServerlessCacheName = cacheClusterId }, context.Cancellation),
                            "DeleteServerlessCache", cacheClusterId).ConfigureAwait(false);
                        break;
                }
            }
            if (!wait) return;

            var clock = Stopwatch.StartNew();
            string activity = $"Deleting cache {cacheClusterId}";
            while (await FindByModeAsync(client, cacheClusterId, found.Mode, context).ConfigureAwait(false) is FoundCache still)
            {
                if (clock.Elapsed > WaitTimeout) throw Timeout(cacheClusterId, "deleted", still.Status);
                context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{still.Status} ({clock.Elapsed.TotalSeconds:0} s)" });
                await Task.Delay(PollInterval(clock.Elapsed), context.Cancellation).ConfigureAwait(false);
            }
            context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
        }

        private static void CheckReusable(FoundCache found, CacheClusterSpec spec, IOperationContext context)
        {
            string id = found.Id;
            if (found.Mode != spec.Mode)
                throw new EcommerceException("CacheClusterModeMismatch", ErrorCategory.ResourceExists, id,
                    $"'{id}' already exists as a {found.Mode} cache; -Mode {spec.Mode} was asked for.",
                    $"Pass -Mode {found.Mode} to reuse it, or choose another -CacheClusterId.");
            if (found.Status == Deleting)
                throw new EcommerceException("CacheClusterDeleting", ErrorCategory.ResourceBusy, id,
                    $"Cache '{id}' is being deleted; it cannot be reused.",
                    "Wait until Get-CacheCluster no longer finds it, then run New-CacheCluster again, or choose another -CacheClusterId.");
            if (found.NodeType != null && spec.Mode != CacheMode.Serverless && !string.Equals(found.NodeType, spec.NodeType, StringComparison.OrdinalIgnoreCase))
                context.WriteWarning($"Cache '{id}' already exists with node type {found.NodeType}; it was left as it is (requested {spec.NodeType}).");
            if (found.Engine != null && !string.Equals(found.Engine, EngineName(spec.Engine), StringComparison.OrdinalIgnoreCase))
                context.WriteWarning($"Cache '{id}' already exists with engine {found.Engine}; it was left as it is (requested {EngineName(spec.Engine)}).");
        }

        private static async Task<FoundCache> CreateByModeAsync(AmazonElastiCacheClient client, CacheClusterSpec spec, IOperationContext context)
        {
            string id = CacheIds.Normalize(spec.CacheClusterId);
            List<Tag> tags = spec.Tags?.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();
            List<string> securityGroups = spec.SecurityGroupIds?.Length > 0 ? spec.SecurityGroupIds.ToList() : null;
            string engine = EngineName(spec.Engine);
            try
            {
                switch (spec.Mode)
                {
                    case CacheMode.SingleNode:
                        context.WriteVerbose($"Creating single-node {engine} cache cluster '{id}' ({spec.NodeType}).");
                        CreateCacheClusterResponse node = await client.CreateCacheClusterAsync(new CreateCacheClusterRequest
                        {
                            CacheClusterId = id,
                            Engine = engine,
                            CacheNodeType = spec.NodeType,
                            NumCacheNodes = 1,
                            CacheSubnetGroupName = spec.SubnetGroupName,
                            SecurityGroupIds = securityGroups,
                            Tags = tags,
                        }, context.Cancellation).ConfigureAwait(false);
                        return FoundCache.From(node.CacheCluster);

                    case CacheMode.ReplicationGroup:
                        bool failover = spec.ReplicaCount >= 1;
                        context.WriteVerbose($"Creating {engine} replication group '{id}' ({spec.NodeType}, 1 primary + {spec.ReplicaCount} replica(s), TLS, encryption at rest{(failover ? ", automatic failover, Multi-AZ" : "")}{(spec.AuthToken != null ? ", AUTH token" : "")}).");
                        CreateReplicationGroupResponse group = await client.CreateReplicationGroupAsync(new CreateReplicationGroupRequest
                        {
                            ReplicationGroupId = id,
                            ReplicationGroupDescription = $"EcommerceAws cache {id}",
                            Engine = engine,
                            CacheNodeType = spec.NodeType,
                            NumCacheClusters = 1 + spec.ReplicaCount,
                            AutomaticFailoverEnabled = failover,
                            MultiAZEnabled = failover,
                            TransitEncryptionEnabled = true,
                            AtRestEncryptionEnabled = true,
                            AuthToken = spec.AuthToken,
                            CacheSubnetGroupName = spec.SubnetGroupName,
                            SecurityGroupIds = securityGroups,
                            Tags = tags,
                        }, context.Cancellation).ConfigureAwait(false);
                        return FoundCache.From(group.ReplicationGroup);

                    default:
                        if (spec.SubnetGroupName != null)
                            context.WriteWarning("-SubnetGroupName does not apply to a serverless cache (ElastiCache Serverless takes subnet ids and otherwise uses the default VPC's subnets); it was ignored.");
                        context.WriteVerbose($"Creating {engine} serverless cache '{id}' (TLS always on).");
                        CreateServerlessCacheResponse serverless = await client.CreateServerlessCacheAsync(new CreateServerlessCacheRequest
                        {
                            ServerlessCacheName = id,
                            Description = $"EcommerceAws cache {id}",
                            Engine = engine,
                            SecurityGroupIds = securityGroups,
                            Tags = tags,
                        }, context.Cancellation).ConfigureAwait(false);
                        return FoundCache.From(serverless.ServerlessCache);
                }
            }
            catch (AmazonServiceException ex) when (ex.ErrorCode is "CacheClusterAlreadyExists" or "ReplicationGroupAlreadyExists" or "ServerlessCacheAlreadyExistsFault")
            {
                // Created by a concurrent run between our lookup and our create: converge on what is there.
                return await FindByModeAsync(client, id, spec.Mode, context).ConfigureAwait(false)
                    ?? throw AwsErrors.From(ex, id, CreateOperation(spec.Mode));
            }
            catch (AmazonServiceException ex) when (spec.Mode == CacheMode.Serverless && (int)ex.StatusCode >= 500)
            {
                EcommerceException error = AwsErrors.From(ex, id, "CreateServerlessCache");
                throw new EcommerceException(error.ErrorId, ErrorCategory.NotImplemented, id,
                    error.Message + " The endpoint could not create a serverless cache (local stand-ins such as moto do not implement ElastiCache Serverless).",
                    "Use -Mode SingleNode or -Mode ReplicationGroup with this endpoint, or try again later against AWS.", ex);
            }
            catch (AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, id, CreateOperation(spec.Mode));
            }
            catch (HttpRequestException ex)
            {
                throw EcommerceErrors.AwsEndpointUnreachable(CreateOperation(spec.Mode), id, ex);
            }
        }

        /// <summary>
        /// The ids -CacheClusterId accepts (replication groups, cache clusters outside a group, serverless caches), for argument
        /// completion. The three look-ups run side by side; serverless caches are left out when their look-up fails or lags.
        /// </summary>
        public async Task<IReadOnlyList<NamedResource>> ListCacheIdsAsync(IOperationContext context)
        {
            using var client = new AmazonElastiCacheClient(context.Aws);
            Task<List<NamedResource>> serverless = ListServerlessAsync(client, context);
            Task<List<NamedResource>> clusters = ListClustersAsync(client, context);
            Task<List<NamedResource>> groups = ListGroupsAsync(client, context);
            var found = new List<NamedResource>();
            found.AddRange(await groups.ConfigureAwait(false));
            found.AddRange(await clusters.ConfigureAwait(false));
            // An endpoint without ElastiCache Serverless (moto answers 500 and the transport retries) must not hold up the rest.
            if (await Task.WhenAny(serverless, Task.Delay(TimeSpan.FromMilliseconds(300), context.Cancellation)).ConfigureAwait(false) == serverless
                && serverless.Status == TaskStatus.RanToCompletion)
                found.AddRange(serverless.Result);
            else
                _ = serverless.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed, never reported
            return found;
        }

        private static async Task<List<NamedResource>> ListClustersAsync(AmazonElastiCacheClient client, IOperationContext context)
        {
            var found = new List<NamedResource>();
            string marker = null;
            do
            {
                string current = marker;
                DescribeCacheClustersResponse page = await SignedCall.Run(() => client.DescribeCacheClustersAsync(
                    new DescribeCacheClustersRequest { Marker = current }, context.Cancellation), "DescribeCacheClusters", null).ConfigureAwait(false);
                found.AddRange(page.CacheClusters.Where(c => string.IsNullOrEmpty(c.ReplicationGroupId))
                    .Select(c => new NamedResource(c.CacheClusterId, $"{c.CacheClusterId} (cache cluster, {c.Engine} {c.CacheNodeType}, {c.CacheClusterStatus})")));
                marker = page.Marker;
            } while (!string.IsNullOrEmpty(marker));
            return found;
        }

        private static async Task<List<NamedResource>> ListGroupsAsync(AmazonElastiCacheClient client, IOperationContext context)
        {
            var found = new List<NamedResource>();
            string marker = null;
            do
            {
                string current = marker;
                DescribeReplicationGroupsResponse page = await SignedCall.Run(() => client.DescribeReplicationGroupsAsync(
                    new DescribeReplicationGroupsRequest { Marker = current }, context.Cancellation), "DescribeReplicationGroups", null).ConfigureAwait(false);
                found.AddRange(page.ReplicationGroups.Select(g => new NamedResource(g.ReplicationGroupId, $"{g.ReplicationGroupId} (replication group, {g.Status})")));
                marker = page.Marker;
            } while (!string.IsNullOrEmpty(marker));
            return found;
        }

        private static async Task<List<NamedResource>> ListServerlessAsync(AmazonElastiCacheClient client, IOperationContext context)
        {
            var found = new List<NamedResource>();
            string token = null;
            do
            {
                string current = token;
                DescribeServerlessCachesResponse page = await client.DescribeServerlessCachesAsync(
                    new DescribeServerlessCachesRequest { NextToken = current }, context.Cancellation).ConfigureAwait(false);
                found.AddRange(page.ServerlessCaches.Select(c => new NamedResource(c.ServerlessCacheName, $"{c.ServerlessCacheName} (serverless, {c.Status})")));
                token = page.NextToken;
            } while (!string.IsNullOrEmpty(token));
            return found;
        }

        /// <summary>Looks the id up as a cache cluster, then a replication group, then a serverless cache.</summary>
        private static async Task<FoundCache> FindAsync(AmazonElastiCacheClient client, string id, IOperationContext context, bool warnWhenServerlessUnknown)
        {
            FoundCache found = await FindByModeAsync(client, id, CacheMode.SingleNode, context).ConfigureAwait(false)
                ?? await FindByModeAsync(client, id, CacheMode.ReplicationGroup, context).ConfigureAwait(false);
            if (found != null) return found;
            try
            {
                DescribeServerlessCachesResponse page = await client.DescribeServerlessCachesAsync(
                    new DescribeServerlessCachesRequest { ServerlessCacheName = id }, context.Cancellation).ConfigureAwait(false);
                return FoundCache.From(page.ServerlessCaches.FirstOrDefault());
            }
            catch (AmazonServiceException ex) when (ex.ErrorCode == "ServerlessCacheNotFoundFault")
            {
                return null;
            }
            catch (AmazonServiceException ex) when ((int)ex.StatusCode >= 500)
            {
                // An endpoint without ElastiCache Serverless (moto answers 500) must not hide the other two kinds.
                string note = $"Could not check for a serverless cache named '{id}': DescribeServerlessCaches failed ({ex.ErrorCode}: {ex.Message}); treating it as absent.";
                if (warnWhenServerlessUnknown) context.WriteWarning(note); else context.WriteVerbose(note);
                return null;
            }
            catch (AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, id, "DescribeServerlessCaches");
            }
        }

        private static async Task<FoundCache> FindByModeAsync(AmazonElastiCacheClient client, string id, CacheMode mode, IOperationContext context)
        {
            switch (mode)
            {
                case CacheMode.SingleNode:
                    DescribeCacheClustersResponse clusters = await SignedCall.Run(() => client.DescribeCacheClustersAsync(
                        new DescribeCacheClustersRequest { CacheClusterId = id, ShowCacheNodeInfo = true }, context.Cancellation),
                        "DescribeCacheClusters", id, "CacheClusterNotFound").ConfigureAwait(false);
                    return FoundCache.From(clusters?.CacheClusters.FirstOrDefault());
                case CacheMode.ReplicationGroup:
                    DescribeReplicationGroupsResponse groups = await SignedCall.Run(() => client.DescribeReplicationGroupsAsync(
                        new DescribeReplicationGroupsRequest { ReplicationGroupId = id }, context.Cancellation),
                        "DescribeReplicationGroups", id, "ReplicationGroupNotFoundFault").ConfigureAwait(false);
                    return FoundCache.From(groups?.ReplicationGroups.FirstOrDefault());
                default:
                    DescribeServerlessCachesResponse caches = await SignedCall.Run(() => client.DescribeServerlessCachesAsync(
                        new DescribeServerlessCachesRequest { ServerlessCacheName = id }, context.Cancellation),
                        "DescribeServerlessCaches", id, "ServerlessCacheNotFoundFault").ConfigureAwait(false);
                    return FoundCache.From(caches?.ServerlessCaches.FirstOrDefault());
            }
        }

        private static async Task<FoundCache> WaitForStatusAsync(AmazonElastiCacheClient client, string id, CacheMode mode, IOperationContext context)
        {
            var clock = Stopwatch.StartNew();
            string activity = $"Waiting for cache {id}";
            while (true)
            {
                FoundCache found = await FindByModeAsync(client, id, mode, context).ConfigureAwait(false)
                    ?? throw new EcommerceException("CacheClusterVanished", ErrorCategory.ObjectNotFound, id,
                        $"Cache '{id}' disappeared while waiting for it to become available (it may have failed to create).",
                        "Check the ElastiCache events in the console, then run New-CacheCluster again.");
                if (found.Status == Available)
                {
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
                    return found;
                }
                if (found.Status is "create-failed" or "incompatible-network" or Deleting)
                    throw new EcommerceException("CacheClusterFailed", ErrorCategory.InvalidResult, id,
                        $"Cache '{id}' is {found.Status} instead of becoming available.",
                        "Check the subnet group, security groups and quotas, then remove it (Remove-CacheCluster) and run New-CacheCluster again.");
                if (clock.Elapsed > WaitTimeout) throw Timeout(id, Available, found.Status);
                context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{found.Status} ({clock.Elapsed.TotalSeconds:0} s; usually 5-15 min)" });
                await Task.Delay(PollInterval(clock.Elapsed), context.Cancellation).ConfigureAwait(false);
            }
        }

        private static async Task<CacheClusterInfo> ToInfoAsync(AmazonElastiCacheClient client, FoundCache found, string region, bool alreadyExisted, IOperationContext context)
        {
            string engineVersion = found.EngineVersion, engine = found.Engine;
            if ((engineVersion == null || engine == null) && found.Group?.MemberClusters?.Count > 0)
            {
                // A replication group does not report its engine version (nor, on older APIs, its engine); its member clusters do.
                string member = found.Group.MemberClusters[0];
                DescribeCacheClustersResponse members = await SignedCall.Run(() => client.DescribeCacheClustersAsync(
                    new DescribeCacheClustersRequest { CacheClusterId = member }, context.Cancellation), "DescribeCacheClusters", member, "CacheClusterNotFound").ConfigureAwait(false);
                engineVersion ??= members?.CacheClusters.FirstOrDefault()?.EngineVersion;
                engine ??= members?.CacheClusters.FirstOrDefault()?.Engine;
            }

            string endpoint = found.Endpoint?.Address == null ? null : $"{found.Endpoint.Address}:{found.Endpoint.Port ?? 6379}";
            string url = endpoint == null ? string.Empty : (found.TransitEncryption ? "rediss://" : "redis://") + endpoint;
            if (endpoint == null)
                context.WriteWarning(found.Status == Available
                    ? $"ElastiCache reported no endpoint for available cache '{found.Id}' (local stand-ins such as moto never report one); RedisUrl is left empty rather than guessed."
                    : $"Cache '{found.Id}' is {found.Status}; ElastiCache reports its endpoint once it is available, so RedisUrl is empty. Run Get-CacheCluster later.");
            return new CacheClusterInfo
            {
                CacheClusterId = found.Id,
                Mode = found.Mode,
                Engine = engine,
                EngineVersion = engineVersion,
                MemberClusters = found.Group?.MemberClusters?.ToArray()
                    ?? (found.Mode == CacheMode.SingleNode ? new[] { found.Id } : Array.Empty<string>()),
                NodeType = found.NodeType,
                Status = found.Status,
                Endpoint = endpoint,
                TransitEncryption = found.TransitEncryption,
                RedisUrl = url,
                Arn = found.Arn,
                Region = region,
                DataStorageLimitGB = found.DataStorageLimitGB,
                AlreadyExisted = alreadyExisted,
            };
        }

        internal static string EngineName(CacheEngine engine) => engine == CacheEngine.Valkey ? "valkey" : "redis";

        private static string CreateOperation(CacheMode mode) => mode switch
        {
            CacheMode.SingleNode => "CreateCacheCluster",
            CacheMode.ReplicationGroup => "CreateReplicationGroup",
            _ => "CreateServerlessCache",
        };

        private static TimeSpan PollInterval(TimeSpan elapsed) =>
            elapsed < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(1) : elapsed < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(15);

        private static EcommerceException Timeout(string id, string target, string status) =>
            new EcommerceException("CacheClusterWaitTimeout", ErrorCategory.OperationTimeout, id,
                $"Cache '{id}' was still {status} after {WaitTimeout.TotalMinutes:0} minutes waiting for it to be {target}.",
                "Check the ElastiCache console's events; run the command again to keep waiting.");

        /// <summary>One cache whichever API it came from, reduced to what the output needs.</summary>
        private sealed class FoundCache
        {
            public string Id { get; init; }
            public CacheMode Mode { get; init; }
            public string Status { get; init; }
            public string Engine { get; init; }
            public string EngineVersion { get; init; }
            public string NodeType { get; init; }
            public Endpoint Endpoint { get; init; }
            public bool TransitEncryption { get; init; }
            public string Arn { get; init; }
            public ReplicationGroup Group { get; init; }
            public int? DataStorageLimitGB { get; init; }

            public static FoundCache From(CacheCluster c) => c == null ? null : new FoundCache
            {
                Id = c.CacheClusterId,
                Mode = CacheMode.SingleNode,
                Status = c.CacheClusterStatus,
                Engine = c.Engine,
                EngineVersion = c.EngineVersion,
                NodeType = c.CacheNodeType,
                Endpoint = c.ConfigurationEndpoint ?? c.CacheNodes?.FirstOrDefault(n => n.Endpoint != null)?.Endpoint,
                TransitEncryption = c.TransitEncryptionEnabled == true,
                Arn = c.ARN,
            };

            public static FoundCache From(ReplicationGroup g) => g == null ? null : new FoundCache
            {
                Id = g.ReplicationGroupId,
                Mode = CacheMode.ReplicationGroup,
                Status = g.Status,
                Engine = g.Engine,
                NodeType = g.CacheNodeType,
                // Cluster mode has a configuration endpoint; otherwise clients write to the primary endpoint.
                Endpoint = g.ConfigurationEndpoint ?? g.NodeGroups?.FirstOrDefault(n => n.PrimaryEndpoint != null)?.PrimaryEndpoint,
                TransitEncryption = g.TransitEncryptionEnabled == true,
                Arn = g.ARN,
                Group = g,
            };

            public static FoundCache From(ServerlessCache s) => s == null ? null : new FoundCache
            {
                Id = s.ServerlessCacheName,
                Mode = CacheMode.Serverless,
                Status = s.Status,
                Engine = s.Engine,
                EngineVersion = s.FullEngineVersion ?? s.MajorEngineVersion,
                Endpoint = s.Endpoint,
                TransitEncryption = true,
                Arn = s.ARN,
                DataStorageLimitGB = s.CacheUsageLimits?.DataStorage?.Maximum,
            };
        }
    }
}
