using System;
using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>Checks of Redis cache input that run before any connection; each failure has a stable ErrorId.</summary>
    public static class CacheInputValidation
    {
        public static void RedisUrl(string url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri uri)
                || (uri.Scheme != "redis" && uri.Scheme != "rediss") || string.IsNullOrEmpty(uri.Host))
                throw EcommerceErrors.InvalidRedisUrl(Secrets.MaskUrl(url), $"'{Secrets.MaskUrl(url)}' is not a Redis URL: use redis://host:6379 or rediss://host:6379 (TLS, for ElastiCache in-transit encryption).", "Pass the cache endpoint, e.g. -RedisUrl redis://ecommerce-redis.abc123.0001.use1.cache.amazonaws.com:6379, and the token with -AuthToken.", ErrorCategory.InvalidArgument);
            if (uri.AbsolutePath.Length > 1 && !int.TryParse(uri.AbsolutePath.Trim('/'), out _))
                throw EcommerceErrors.InvalidRedisUrl(Secrets.MaskUrl(url), $"The path of '{Secrets.MaskUrl(url)}' must be a database number such as /0.", "Remove the path or use /0.", ErrorCategory.InvalidArgument);
        }

        public static void KeyPrefix(string prefix)
        {
            if (prefix != null && (prefix.Contains('*') || prefix.Contains('?') || prefix.Contains('[') || prefix.Trim() != prefix))
                throw new EcommerceException("InvalidKeyPrefix", ErrorCategory.InvalidArgument, prefix,
                    $"The key prefix '{prefix}' may not contain glob characters (*, ?, [) or surrounding spaces.",
                    "Use a plain prefix such as 'shop1:'.");
        }
    }
}
