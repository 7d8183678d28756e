using System.Management.Automation;
using System.Net;
using System.Security;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;

namespace EcommerceAws.Internal
{
    /// <summary>Base of the cmdlets that work on the table's products with the optional Redis cache: -TableName, -RedisUrl, -AuthToken, -KeyPrefix.</summary>
    public abstract class ProductCmdlet : AwsCmdlet
    {
        /// <summary><para>The single table holding the products (binds by property name from New-EcommerceTable or an EcommerceStack).</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The Redis cache, redis://host:6379 or rediss://host:6379 (TLS). With it, reads go through the cache (the guide's RedisService keys and TTLs) and writes invalidate the affected keys. Binds by property name from a CacheClusterInfo or EcommerceStack. A token inside the URL is never printed.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RedisUrl { get; set; }

        /// <summary><para>The Redis AUTH token (ElastiCache auth token) as a SecureString, for example (Read-Host -AsSecureString). Overrides a password in -RedisUrl. Never printed.</para></summary>
        [Parameter]
        public SecureString AuthToken { get; set; }

        /// <summary><para>A prefix before every cache key, when several shops or tables share one Redis (for example 'shop1:' gives shop1:product:&lt;id&gt;). Default: none, as the guide. One prefix serves one table: the first write records the table in &lt;prefix&gt;ecommerceaws:table, and another -TableName on the same Redis and prefix is refused (CacheServesOtherTable) before anything is read or written.</para></summary>
        [Parameter]
        public string KeyPrefix { get; set; }

        protected CacheTarget Cache => CacheParameters.Target(RedisUrl, AuthToken, KeyPrefix);

        /// <summary>Checks -TableName and the cache parameters before any call.</summary>
        protected void CheckCommonInput()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckCacheInput(RedisUrl, KeyPrefix);
        }

        protected void CheckCacheInput(string redisUrl, string keyPrefix)
        {
            if (!string.IsNullOrWhiteSpace(redisUrl)) CheckInput(() => CacheInputValidation.RedisUrl(redisUrl));
            CheckInput(() => CacheInputValidation.KeyPrefix(keyPrefix));
        }
    }

    /// <summary>Builds the engine's CacheTarget from cmdlet parameters (the SecureString is opened only here).</summary>
    internal static class CacheParameters
    {
        internal static CacheTarget Target(string redisUrl, SecureString authToken, string keyPrefix) => new CacheTarget
        {
            RedisUrl = string.IsNullOrWhiteSpace(redisUrl) ? null : redisUrl.Trim(),
            AuthToken = authToken == null ? null : new NetworkCredential(string.Empty, authToken).Password,
            KeyPrefix = keyPrefix ?? string.Empty,
        };
    }
}
