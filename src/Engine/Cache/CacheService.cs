using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Products;
using EcommerceAws.Output;
using StackExchange.Redis;

namespace EcommerceAws.Engine.Cache
{
    /// <summary>Clears product keys (SCAN + UNLINK in batches, never KEYS, so Redis never blocks) and warms them from the table.</summary>
    public sealed class CacheService
    {
        private const int ScanCount = 1000;
        private const int UnlinkBatch = 500;

        public string[] DefaultPatterns(string keyPrefix) => new CacheKeys(keyPrefix).DefaultPatterns;

        public async Task<IReadOnlyList<string>> FindKeysAsync(CacheTarget target, string[] patterns, IOperationContext context)
        {
            using ProductCache cache = await ProductCache.OpenAsync(target, null, context).ConfigureAwait(false);
            var keys = new List<string>();
            foreach (string pattern in patterns)
                await foreach (string[] batch in ScanAsync(cache.Database, pattern, context)) keys.AddRange(batch);
            return keys.Distinct().ToList();
        }

        public async Task<CacheOperationResult> ClearAsync(CacheTarget target, string[] patterns, IOperationContext context)
        {
            var clock = Stopwatch.StartNew();
            using ProductCache cache = await ProductCache.OpenAsync(target, null, context).ConfigureAwait(false);
            long deleted = 0;
            string activity = $"Clearing {Secrets.MaskUrl(target.RedisUrl)}";
            foreach (string pattern in patterns)
            {
                await foreach (string[] batch in ScanAsync(cache.Database, pattern, context))
                {
                    foreach (string[] chunk in batch.Chunk(UnlinkBatch))
                    {
                        RedisResult removed = await cache.Database.ExecuteAsync("UNLINK", chunk.Cast<object>().ToArray()).ConfigureAwait(false);
                        deleted += (long)removed;
                    }
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{deleted} keys deleted ({pattern})" });
                }
            }
            context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
            context.WriteVerbose($"Deleted {deleted} keys matching {string.Join(", ", patterns)}.");
            if (!cache.Keys.DefaultPatterns.Except(patterns).Any())
            {
                // Every product key of this prefix is gone, so it serves no table any more: the next write records a new one.
                string recorded = await cache.ReadBindingAsync().ConfigureAwait(false);
                if (recorded != null)
                {
                    await cache.Database.KeyDeleteAsync(cache.Keys.TableBinding).ConfigureAwait(false);
                    context.WriteVerbose($"Forgot that this cache served table '{recorded}' ({cache.Keys.TableBinding}).");
                }
            }
            return new CacheOperationResult
            {
                Operation = "Clear", RedisUrl = Secrets.MaskUrl(target.RedisUrl), Patterns = patterns, KeysDeleted = deleted, Duration = clock.Elapsed,
            };
        }

        public async Task<CacheOperationResult> WarmAsync(string tableName, CacheTarget target, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            var clock = Stopwatch.StartNew();
            using ProductCache cache = await ProductCache.OpenAsync(target, tableName, context).ConfigureAwait(false);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            var catalog = new ProductCatalog(dynamo, tableName, context);
            // A mistyped table must not claim the Redis prefix (EnsureBoundAsync records the table in it).
            await catalog.EnsureTableAsync().ConfigureAwait(false);
            await cache.EnsureBoundAsync().ConfigureAwait(false);
            IDatabase redis = cache.Database;
            var all = new List<Dictionary<string, AttributeValue>>();
            long written = 0, categories = 0;
            string activity = $"Warming {Secrets.MaskUrl(target.RedisUrl)} from {tableName}";
            await foreach (IReadOnlyList<string> page in catalog.CategoryPagesAsync(context.Cancellation))
            {
                foreach (string category in page)
                {
                    categories++;
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"Category {categories}: {category} — {all.Count} products, {written} keys" });
                    var items = new List<Dictionary<string, AttributeValue>>();
                    await foreach (List<Dictionary<string, AttributeValue>> products in catalog.ProductPagesAsync(category).WithCancellation(context.Cancellation))
                    {
                        // One round trip per page: the SETs are pipelined.
                        await Task.WhenAll(products.Select(item => redis.StringSetAsync(
                            cache.Keys.Product(ProductItemJson.FromItem(item, tableName).Id), ProductItemJson.ToJson(item), CacheKeys.ProductTtl))).ConfigureAwait(false);
                        written += products.Count;
                        items.AddRange(products);
                    }
                    await redis.StringSetAsync(cache.Keys.Category(category), ProductItemJson.ToJsonArray(items), CacheKeys.ListTtl).ConfigureAwait(false);
                    written++;
                    all.AddRange(items);
                }
            }
            await redis.StringSetAsync(cache.Keys.All, ProductItemJson.ToJsonArray(all), CacheKeys.ListTtl).ConfigureAwait(false);
            written++;
            context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
            if (categories == 0)
                context.WriteWarning($"Table '{tableName}' lists no categories under TYPE#category, so no product was cached. Migrate the categories first.");
            return new CacheOperationResult
            {
                Operation = "Warm", RedisUrl = Secrets.MaskUrl(target.RedisUrl), TableName = tableName, KeysWritten = written,
                Products = all.Count, Categories = categories, Duration = clock.Elapsed,
                Patterns = new[] { cache.Keys.Product("*"), cache.Keys.Category("*") },
            };
        }

        /// <summary>SCAN pages of one pattern (cursor-based, non-blocking, unlike KEYS).</summary>
        private static async IAsyncEnumerable<string[]> ScanAsync(IDatabase database, string pattern, IOperationContext context)
        {
            string cursor = "0";
            do
            {
                context.Cancellation.ThrowIfCancellationRequested();
                RedisResult[] reply = (RedisResult[])await database.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", ScanCount).ConfigureAwait(false);
                cursor = (string)reply[0];
                string[] keys = ((RedisResult[])reply[1]).Select(k => (string)k).ToArray();
                if (keys.Length > 0) yield return keys;
            } while (cursor != "0");
        }
    }
}
