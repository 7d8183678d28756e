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
    /// </summary>
    internal sealed class ProductCache : IDisposable
    {
        private readonly ConnectionMultiplexer connection;
        private readonly IDatabase database;
        private readonly IOperationContext context;
        private readonly CacheTarget target;

        private ProductCache(ConnectionMultiplexer connection, CacheTarget target, IOperationContext context)
        {
            this.connection = connection;
            this.target = target;
            this.context = context;
            database = connection.GetDatabase();
            Keys = new CacheKeys(target.KeyPrefix);
        }

        public CacheKeys Keys { get; }

        /// <summary>The cache, or null when none was asked for or (with a warning) when Redis cannot be reached.</summary>
        public static async Task<ProductCache> OpenSoftAsync(CacheTarget target, IOperationContext context)
        {
            if (target == null || !target.Enabled) return null;
            try
            {
                ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(target).ConfigureAwait(false);
                context.WriteVerbose($"Using the Redis cache at {Secrets.MaskUrl(target.RedisUrl)}.");
                return new ProductCache(connection, target, context);
            }
            catch (EcommerceException ex)
            {
                context.WriteWarning($"{ex.Message} Working without the cache.");
                return null;
            }
        }

        /// <summary>The cache or an error (for the cache cmdlets, where Redis is the point).</summary>
        public static async Task<ProductCache> OpenAsync(CacheTarget target, IOperationContext context) =>
            new ProductCache(await RedisConnector.ConnectAsync(target).ConfigureAwait(false), target, context);

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
                await database.StringSetAsync(key, json, ttl).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                context.WriteWarning($"Caching {key} in Redis failed ({Scrubbed(ex)}).");
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
