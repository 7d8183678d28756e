using System;

namespace EcommerceAws.Engine.Cache
{
    /// <summary>
    /// The key scheme of the guide's RedisService, with an optional prefix: product:&lt;id&gt; (JSON item, 1 hour),
    /// products:&lt;category&gt; and products:all (JSON arrays, 30 minutes).
    /// </summary>
    internal sealed class CacheKeys
    {
        public static readonly TimeSpan ProductTtl = TimeSpan.FromSeconds(3600);
        public static readonly TimeSpan ListTtl = TimeSpan.FromSeconds(1800);

        public CacheKeys(string prefix) => Prefix = prefix ?? string.Empty;

        public string Prefix { get; }
        public string Product(string id) => Prefix + "product:" + id;
        public string Category(string category) => Prefix + "products:" + category;
        public string All => Prefix + "products:all";
        /// <summary>
        /// The module's record of which table the keys under this prefix serve (a plain string, no TTL). Outside the
        /// guide's product:* / products:* key space, so the application never reads or overwrites it.
        /// </summary>
        public string TableBinding => Prefix + "ecommerceaws:table";
        /// <summary>What Clear-EcommerceCache removes by default: every product and product-list key.</summary>
        public string[] DefaultPatterns => new[] { Prefix + "product:*", Prefix + "products:*" };
    }
}
