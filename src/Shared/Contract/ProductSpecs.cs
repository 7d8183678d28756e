using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>
    /// The fields of a product as the guide's ProductModel names them. For an update, a null field is left unchanged.
    /// </summary>
    public sealed record ProductFields
    {
        public string NameEn { get; init; }
        public string NameFr { get; init; }
        public decimal? Price { get; init; }
        public string Category { get; init; }
        public string[] Images { get; init; }
        public string Description { get; init; }
        public long? Stock { get; init; }
    }

    /// <summary>Where the Redis cache is and how its keys are named; null RedisUrl means "no cache".</summary>
    public sealed class CacheTarget
    {
        public string RedisUrl { get; init; }
        /// <summary>The auth token in plain text, only ever handed to the Redis client; never printed.</summary>
        public string AuthToken { get; init; }
        /// <summary>Prepended to every key (e.g. "shop1:" gives "shop1:product:&lt;id&gt;"). Empty by default, as the guide.</summary>
        public string KeyPrefix { get; init; } = string.Empty;
        public int ConnectTimeoutMs { get; init; } = 5000;

        public bool Enabled => !string.IsNullOrWhiteSpace(RedisUrl);
    }

    /// <summary>Which products Get-EcommerceProduct reads.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum ProductSelection { Id, Category, All }

}
