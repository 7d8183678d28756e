using System;

namespace EcommerceAws.Output
{
    /// <summary>A product of the single table, with the guide's Product fields. Binds by property name (-Id, -TableName) into Set-/Remove-EcommerceProduct.</summary>
    public sealed class EcommerceProduct
    {
        public string Id { get; init; }
        public string NameEn { get; init; }
        public string NameFr { get; init; }
        /// <summary>Price in XAF (CFA francs).</summary>
        public decimal Price { get; init; }
        public string Category { get; init; }
        public string[] Images { get; init; } = Array.Empty<string>();
        public string Description { get; init; }
        public long Stock { get; init; }
        /// <summary>ISO-8601 UTC text as stored (e.g. 2024-03-01T10:15:30.000Z).</summary>
        public string CreatedAt { get; init; }
        public string UpdatedAt { get; init; }
        /// <summary>The table the product was read from or written to.</summary>
        public string TableName { get; init; }
        /// <summary>True when the product came from the Redis cache rather than the table.</summary>
        public bool FromCache { get; init; }
    }
}
