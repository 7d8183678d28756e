using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using StackExchange.Redis;

namespace EcommerceAws.Engine.Cache
{
    /// <summary>
    /// The read-through product cache of the guide's ProductModel. Opened "soft" by the product cmdlets: when Redis
    /// fails they warn and carry on with the table (a cache must never make the shop's data unreachable).
    /// One Redis (or key prefix) serves one table: the guide's keys (product:&lt;id&gt;, products:&lt;category&gt;,
    /// products:all) do not name the table, so the first time the module writes product data under a prefix it records
    /// the table in <see cref="CacheKeys.TableBinding"/>, and every cmdlet that reads or writes the cache with another
    /// table is refused (CacheServesOtherTable) instead of answering with the other table's products.
    /// </summary>
    internal sealed class ProductCache : IDisposable
    {
        private readonly ConnectionMultiplexer connection;
        private readonly IDatabase database;
        private readonly IOperationContext context;
        private readonly CacheTarget target;
        private readonly string tableName;
        private bool bound;

        private ProductCache(ConnectionMultiplexer connection, CacheTarget target, string tableName, IOperationContext context)
        {
            this.connection = connection;
            this.target = target;
            this.tableName = tableName;
            this.context = context;
            database = connection.GetDatabase();
            Keys = new CacheKeys(target.KeyPrefix);
        }

        public CacheKeys Keys { get; }

        /// <summary>
        /// The cache for <paramref name="tableName"/>, or null when none was asked for or (with a warning) when Redis
        /// cannot be reached. A cache recorded as serving another table is an error (CacheServesOtherTable).
        /// </summary>
        public static async Task<ProductCache> OpenSoftAsync(CacheTarget target, string tableName, IOperationContext context)
        {
            if (target == null || !target.Enabled) return null;
            ProductCache cache;
            string recorded;
            try
            {
                ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(target).ConfigureAwait(false);
                context.WriteVerbose($"Using the Redis cache at {Secrets.MaskUrl(target.RedisUrl)}.");
                cache = new ProductCache(connection, target, tableName, context);
                recorded = await cache.ReadBindingAsync().ConfigureAwait(false);
            }
            catch (EcommerceException ex)
            {
                context.WriteWarning($"{ex.Message} Working without the cache.");
                return null;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                context.WriteWarning($"Reading the Redis cache failed ({Secrets.Redact(ex.Message, RedisConnector.Options(target).Password)}). Working without the cache.");
                return null;
            }
            cache.CheckBinding(recorded);
            return cache;
        }

        /// <summary>The cache or an error (for the cache cmdlets, where Redis is the point); with a table, its binding is checked.</summary>
        public static async Task<ProductCache> OpenAsync(CacheTarget target, string tableName, IOperationContext context)
        {
            var cache = new ProductCache(await RedisConnector.ConnectAsync(target).ConfigureAwait(false), target, tableName, context);
            if (tableName != null)
            {
                try { cache.CheckBinding(await cache.ReadBindingAsync().ConfigureAwait(false)); }
                catch { cache.Dispose(); throw; }
            }
            return cache;
        }

        /// <summary>The table recorded for this prefix, or null when the module has not written here yet.</summary>
        public async Task<string> ReadBindingAsync()
        {
            RedisValue value = await database.StringGetAsync(Keys.TableBinding).ConfigureAwait(false);
            return value.HasValue ? value.ToString() : null;
        }

        private void CheckBinding(string recorded)
        {
            if (recorded == null) return;
            if (recorded != tableName) throw OtherTable(recorded);
            bound = true;
        }

        /// <summary>
        /// Records the table before the module's first write of product data under this prefix (SET NX, so two runs
        /// cannot both claim it); refuses when another table got there first.
        /// </summary>
        public async Task EnsureBoundAsync()
        {
            if (bound || tableName == null) return;
            if (await database.StringSetAsync(Keys.TableBinding, tableName, when: When.NotExists).ConfigureAwait(false))
            {
                bound = true;
                context.WriteVerbose($"Recorded in {Keys.TableBinding} that this cache serves table '{tableName}'.");
                // Keys written before any table was recorded (by the application, or an older module) are now taken to be this table's.
                RedisResult[] scan = (RedisResult[])await database.ExecuteAsync("SCAN", "0", "MATCH", Keys.Product("*"), "COUNT", 1000).ConfigureAwait(false);
                if (((RedisResult[])scan[1]).Length > 0)
                    context.WriteWarning($"The Redis cache at {Secrets.MaskUrl(target.RedisUrl)}{PrefixText()} already held product keys written before any table was recorded (by the application?); they are now taken to belong to table '{tableName}'. If they belong to another table, run Clear-EcommerceCache.");
                return;
            }
            CheckBinding(await ReadBindingAsync().ConfigureAwait(false));
        }

        private string PrefixText() => string.IsNullOrEmpty(Keys.Prefix) ? " (no key prefix)" : $" (key prefix '{Keys.Prefix}')";

        private EcommerceException OtherTable(string recorded) =>
            new EcommerceException("CacheServesOtherTable", System.Management.Automation.ErrorCategory.InvalidOperation, tableName,
                $"The Redis cache at {Secrets.MaskUrl(target.RedisUrl)}{PrefixText()} serves table '{recorded}' (recorded in its key {Keys.TableBinding}), not '{tableName}': its product keys would answer for the wrong table. Nothing was read from or written to the cache or the table.",
                $"Give each table its own key prefix on a shared Redis, for example -KeyPrefix '{tableName}:', or use table '{recorded}'. To point this cache at '{tableName}' instead, empty it first with Clear-EcommerceCache{(string.IsNullOrEmpty(Keys.Prefix) ? "" : $" -KeyPrefix '{Keys.Prefix}'")} (it forgets the recorded table too).");

        public IDatabase Database => database;

        public async Task<string> GetAsync(string key)
        {
            try
            {
                RedisValue value = await database.StringGetAsync(key).ConfigureAwait(false);
                context.WriteVerbose(value.HasValue ? $"Cache hit: {key}" : $"Cache miss: {key}");
                return value.HasValue ? value.ToString() : null;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                context.WriteWarning($"Reading {key} from Redis failed ({Scrubbed(ex)}); reading the table instead.");
                return null;
            }
        }

        public async Task SetAsync(string key, string json, TimeSpan ttl)
        {
            try
            {
                await EnsureBoundAsync().ConfigureAwait(false);
                await database.StringSetAsync(key, json, ttl).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                context.WriteWarning($"Caching {key} in Redis failed ({Scrubbed(ex)}).");
            }
            catch (EcommerceException ex) when (ex.ErrorId == "CacheServesOtherTable")
            {
                // Another run recorded another table between our check and this write: never mix the two.
                context.WriteWarning($"{key} was not cached: {ex.Message}");
            }
        }

        /// <summary>Removes keys after a write (UNLINK: freed in the background, never blocks Redis).</summary>
        public async Task InvalidateAsync(IEnumerable<string> keys)
        {
            RedisKey[] distinct = keys.Where(k => k != null).Distinct().Select(k => (RedisKey)k).ToArray();
            if (distinct.Length == 0) return;
            try
            {
                await database.ExecuteAsync("UNLINK", distinct.Cast<object>().ToArray()).ConfigureAwait(false);
                context.WriteVerbose($"Invalidated cache keys: {string.Join(", ", distinct)}");
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                context.WriteWarning($"Could not invalidate {string.Join(", ", distinct)} in Redis ({Scrubbed(ex)}); run Clear-EcommerceCache to drop stale entries.");
            }
        }

        private string Scrubbed(Exception ex) => Secrets.Redact(ex.Message, RedisConnector.Options(target).Password);

        public void Dispose() => connection.Dispose();
    }
}
