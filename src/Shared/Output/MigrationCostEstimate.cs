using System;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>What migrating one entity (or, with Entity = "Total", all of them) into the single table will cost and take.</summary>
    public sealed class MigrationCostEstimate
    {
        /// <summary>Category, Product, User, Order, or Total.</summary>
        public string Entity { get; init; }
        public string Source { get; init; }
        /// <summary>Documents in the source (counted; for gzip dumps the documents read).</summary>
        public long ItemCount { get; init; }
        /// <summary>Documents actually mapped to measure sizes.</summary>
        public int Sampled { get; init; }
        /// <summary>Sampled documents the migration would reject (any reason the mapper finds).</summary>
        public int SampleRejected { get; init; }
        public double AverageItemBytes { get; init; }
        public int MaxItemBytes { get; init; }
        /// <summary>Documents of the source that do not parse (all of them, not a sample); the migration rejects each as MalformedDocument.</summary>
        public long MalformedDocuments { get; init; }
        /// <summary>Sampled items over DynamoDB's 400 KB limit (they will be rejected as ItemTooLarge).</summary>
        public int ItemsOver400KB { get; init; }
        /// <summary>Table write units per item (1 per started KB) plus the GSI1 write, averaged over the sample.</summary>
        public double WriteUnitsPerItem { get; init; }
        /// <summary>Write request units for the whole entity (table + GSI1).</summary>
        public long WriteUnits { get; init; }
        /// <summary>On-demand cost in USD at <see cref="PricePerMillionWriteUnits"/>.</summary>
        public double OnDemandCostUsd { get; init; }
        public double PricePerMillionWriteUnits { get; init; }
        /// <summary>Time at the table's provisioned WCU (null when no provisioned table was given).</summary>
        public TimeSpan? TimeAtProvisionedWcu { get; init; }
        public long? ProvisionedWcu { get; init; }
        /// <summary>Time at the 4,000 write request units per second a new on-demand table absorbs.</summary>
        public TimeSpan TimeAtOnDemandBaseline { get; init; }
        /// <summary>Storage of the migrated items (plus GSI1 projection, ALL) in GB-months.</summary>
        public double StorageGbMonth { get; init; }
        public double StorageCostUsdPerMonth { get; init; }

        /// <summary>-Method Import: the items as DYNAMODB_JSON lines, uncompressed (what ImportTable bills), in bytes and GB.</summary>
        public long ImportBytes { get; init; }
        public double ImportGb { get; init; }
        public double PricePerGbImport { get; init; }
        /// <summary>-Method Import: ImportGb × PricePerGbImport; the import consumes no write units.</summary>
        public double ImportCostUsd { get; init; }
        /// <summary>-Method Import: the gzipped objects staged in S3 (bytes, and objects of the default 128 MB uncompressed).</summary>
        public long StagingBytes { get; init; }
        public int StagingObjects { get; init; }
        /// <summary>
        /// -Method Import: this machine's time to map, serialize and gzip the items (measured on the sample; reading the source
        /// and uploading come on top). DynamoDB's own import time is not published: it depends on the data size, key
        /// distribution and number of objects.
        /// </summary>
        public TimeSpan TimeToStage { get; init; }
        /// <summary>Write or Import, and why (cost, time, and whether the table exists already).</summary>
        public MigrationMethod RecommendedMethod { get; init; }
        public string Recommendation { get; init; }
    }
}
