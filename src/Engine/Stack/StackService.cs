using System;
using System.Collections.Generic;
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
