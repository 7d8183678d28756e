using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>Redis cache maintenance (engine side): find/clear keys with SCAN + UNLINK, warm the product keys from the table.</summary>
    public interface ICacheService
    {
        /// <summary>The key patterns used when none are given, with the prefix applied (product:* and products:*).</summary>
        string[] DefaultPatterns(string keyPrefix);
        /// <summary>Keys matching the patterns (SCAN, never KEYS).</summary>
        Task<IReadOnlyList<string>> FindKeysAsync(CacheTarget cache, string[] patterns, IOperationContext context);
        Task<CacheOperationResult> ClearAsync(CacheTarget cache, string[] patterns, IOperationContext context);
        Task<CacheOperationResult> WarmAsync(string tableName, CacheTarget cache, IOperationContext context);
    }
}
