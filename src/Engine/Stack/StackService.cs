using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Tables;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Stack
{
    /// <summary>
    /// Creates the whole stack in dependency order (table, bucket, CDN on the bucket, cache cluster) with one progress
    /// bar. Each step is idempotent, so a re-run converges; a failed step leaves what exists in place and says which
    /// step failed.
    /// </summary>
    public sealed class StackService
    {
        private const int ActivityId = 10;
        private readonly TableService tables;
        private readonly BucketService buckets;
        private readonly CdnService cdns;
        private readonly CacheClusterService caches;

        public StackService()
        {
            tables = new TableService();
            buckets = new BucketService();
            cdns = new CdnService();
            caches = new CacheClusterService();
        }

        public async Task<EcommerceStack> CreateAsync(StackSpec spec, IOperationContext context)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            if (!spec.SkipCdn) Assets.CdnService.EnsureCreatable(context); // refused before any call where CloudFront cannot build it
            var done = new List<string>();
            var steps = new List<(string Name, Func<Task<string>> Run)>();
            EcommerceTableInfo table = null;
            AssetBucketInfo bucket = null;
            AssetCdnInfo cdn = null;
            CacheClusterInfo cache = null;

            steps.Add(("DynamoDB table", async () =>
            {
                table = await tables.CreateAsync(new TableSpec
                {
                    TableName = spec.ResolvedTableName, BillingMode = spec.BillingMode, Tags = spec.Tags, Wait = spec.Wait,
                }, context).ConfigureAwait(false);
                return $"table {table.TableName} ({Verb(table.AlreadyExisted)})";
            }));
            steps.Add(("S3 asset bucket", async () =>
            {
                bucket = await buckets.CreateAsync(new BucketSpec { BucketName = spec.ResolvedBucketName, Tags = spec.Tags }, context).ConfigureAwait(false);
                return $"bucket {bucket.BucketName} ({Verb(bucket.AlreadyExisted)})";
            }));
            if (!spec.SkipCdn)
            {
                steps.Add(("CloudFront distribution", async () =>
                {
                    cdn = await cdns.CreateAsync(new CdnSpec
                    {
                        BucketName = spec.ResolvedBucketName, PriceClass = spec.PriceClass, Tags = spec.Tags, Wait = spec.Wait,
                        Comment = $"E-commerce {spec.Name} Assets CDN",
                    }, context).ConfigureAwait(false);
                    return $"distribution {cdn.DistributionId} ({Verb(cdn.AlreadyExisted)})";
                }));
            }
            if (!spec.SkipCache)
            {
                steps.Add(("ElastiCache cluster", async () =>
                {
                    cache = await caches.CreateAsync(new CacheClusterSpec
                    {
                        CacheClusterId = spec.ResolvedCacheClusterId, Mode = spec.CacheMode, NodeType = spec.NodeType, Tags = spec.Tags, Wait = spec.Wait,
                    }, context).ConfigureAwait(false);
                    return $"cache cluster {cache.CacheClusterId} ({Verb(cache.AlreadyExisted)})";
                }));
            }

            for (int i = 0; i < steps.Count; i++)
            {
                context.WriteProgress(new ProgressUpdate
                {
                    ActivityId = ActivityId,
                    Activity = $"Creating stack {spec.Name}",
                    Status = $"Step {i + 1} of {steps.Count}: {steps[i].Name}",
                    PercentComplete = i * 100 / steps.Count,
                });
                try
                {
                    done.Add(await steps[i].Run().ConfigureAwait(false));
                    context.WriteVerbose($"Stack {spec.Name}: {done[^1]}.");
                }
                catch (EcommerceException ex)
                {
                    string kept = done.Count == 0 ? "nothing was created" : "kept in place: " + string.Join(", ", done);
                    throw new EcommerceException("StackStepFailed." + ex.ErrorId, ex.Category, spec.Name,
                        $"Stack '{spec.Name}': step {i + 1} ({steps[i].Name}) failed: {ex.Message} ({kept}).",
                        ex.RecommendedAction ?? "Fix the cause and run New-EcommerceStack again: finished steps are reused.", ex);
                }
            }
            context.WriteProgress(new ProgressUpdate { ActivityId = ActivityId, Activity = $"Creating stack {spec.Name}", Completed = true });
            return ToStack(spec.Name, region, spec, table?.TableName, bucket?.BucketName, cdn, cache, done);
        }

        public async Task<EcommerceStack> DescribeAsync(StackSpec names, IOperationContext context)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            var found = new List<string>();
            EcommerceTableInfo table = await tables.DescribeAsync(names.ResolvedTableName, context).ConfigureAwait(false);
            found.Add(table != null ? $"table {table.TableName} ({table.Status})" : $"table {names.ResolvedTableName} (missing)");
            AssetBucketInfo bucket = await buckets.DescribeAsync(names.ResolvedBucketName, context).ConfigureAwait(false);
            found.Add(bucket != null ? $"bucket {bucket.BucketName}" : $"bucket {names.ResolvedBucketName} (missing)");
            AssetCdnInfo cdn = bucket == null ? null : await cdns.FindByBucketAsync(names.ResolvedBucketName, context).ConfigureAwait(false);
            found.Add(cdn != null ? $"distribution {cdn.DistributionId} ({cdn.Status})" : "distribution (missing)");
            CacheClusterInfo cache = await caches.DescribeAsync(names.ResolvedCacheClusterId, context).ConfigureAwait(false);
            found.Add(cache != null ? $"cache cluster {cache.CacheClusterId} ({cache.Status})" : $"cache cluster {names.ResolvedCacheClusterId} (missing)");
            return ToStack(names.Name, region, names, table?.TableName, bucket?.BucketName, cdn, cache, found);
        }

        public async Task<IReadOnlyList<string>> FindRemovalRefusalsAsync(EcommerceStack stack, StackParts parts, bool force, IOperationContext context)
        {
            var refusals = new List<string>();
            if (parts.HasFlag(StackParts.Cache) && stack.CacheClusterId != null)
            {
                CacheClusterInfo cache = await caches.DescribeAsync(stack.CacheClusterId, context).ConfigureAwait(false);
                // ElastiCache deletes a cache only when it is available ("not valid for a cluster that is not in the available state").
                if (cache != null && cache.Status is "creating" or "modifying" or "snapshotting" or "rebooting cluster nodes")
                    refusals.Add($"cache {cache.CacheClusterId} is {cache.Status}, and ElastiCache deletes only an available cache (wait until Get-CacheCluster shows it available, then run again)");
            }
            if (parts.HasFlag(StackParts.Bucket) && stack.BucketName != null && !force
                && await buckets.HasObjectVersionsAsync(stack.BucketName, context).ConfigureAwait(false))
                refusals.Add($"bucket {stack.BucketName} is not empty (add -Force to delete every object version with it)");
            if (parts.HasFlag(StackParts.Table) && stack.TableName != null && !force)
            {
                EcommerceTableInfo table = await tables.DescribeAsync(stack.TableName, context).ConfigureAwait(false);
                if (table?.DeletionProtection == true)
                    refusals.Add($"table {stack.TableName} has deletion protection on (add -Force to lift it and delete the table with its items)");
            }
            return refusals;
        }

        public async Task RemoveAsync(EcommerceStack stack, StackParts parts, bool force, IOperationContext context)
        {
            var steps = new List<(string What, Func<Task> Run)>();
            if (parts.HasFlag(StackParts.Distribution) && stack.DistributionId != null)
                steps.Add(($"distribution {stack.DistributionId}", () => cdns.RemoveAsync(stack.DistributionId, true, context)));
            // Nothing else depends on the cache, so its deletion (minutes on AWS) goes on in the background.
            if (parts.HasFlag(StackParts.Cache) && stack.CacheClusterId != null)
                steps.Add(($"cache {stack.CacheClusterId}", () => caches.RemoveAsync(stack.CacheClusterId, false, context)));
            if (parts.HasFlag(StackParts.Bucket) && stack.BucketName != null)
                steps.Add(($"bucket {stack.BucketName}", () => buckets.RemoveAsync(stack.BucketName, force, context)));
            if (parts.HasFlag(StackParts.Table) && stack.TableName != null)
                steps.Add(($"table {stack.TableName}", () => tables.RemoveAsync(stack.TableName, force, true, context)));

            var deleted = new List<string>();
            for (int i = 0; i < steps.Count; i++)
            {
                context.WriteProgress(new ProgressUpdate
                {
                    ActivityId = ActivityId,
                    Activity = $"Removing stack {stack.Name}",
                    Status = $"Step {i + 1} of {steps.Count}: deleting {steps[i].What}",
                    PercentComplete = i * 100 / steps.Count,
                });
                try
                {
                    await steps[i].Run().ConfigureAwait(false);
                    deleted.Add(steps[i].What);
                    context.WriteVerbose($"Stack {stack.Name}: deleted {steps[i].What}.");
                }
                catch (EcommerceException ex)
                {
                    string done = deleted.Count == 0 ? "Nothing was deleted" : "Deleted: " + string.Join(", ", deleted);
                    string left = "not deleted: " + string.Join(", ", steps.Skip(i).Select(s => s.What));
                    throw new EcommerceException("StackRemovalFailed." + ex.ErrorId, ex.Category, stack.Name,
                        $"Stack '{stack.Name}': deleting {steps[i].What} failed: {ex.Message} {done}; {left}.",
                        ex.RecommendedAction ?? "Fix the cause and run Remove-EcommerceStack again: it deletes only what is left.", ex);
                }
            }
            context.WriteProgress(new ProgressUpdate { ActivityId = ActivityId, Activity = $"Removing stack {stack.Name}", Completed = true });
        }

        private static EcommerceStack ToStack(string name, string region, StackSpec spec, string tableName, string bucketName,
            AssetCdnInfo cdn, CacheClusterInfo cache, List<string> resources) => new EcommerceStack
            {
                Name = name,
                Region = region,
                TableName = tableName,
                BucketName = bucketName,
                DistributionId = cdn?.DistributionId,
                CdnDomain = cdn?.DomainName,
                CdnUrl = cdn?.Url,
                CacheClusterId = cache?.CacheClusterId,
                RedisUrl = string.IsNullOrEmpty(cache?.RedisUrl) ? null : cache.RedisUrl,
                Resources = resources.ToArray(),
            };

        private static string Verb(bool alreadyExisted) => alreadyExisted ? "already there" : "created";
    }
}
