using System;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>Result of Test-EcommerceMigration for one entity: counts and a re-mapped sample compared attribute by attribute.</summary>
    public sealed class MigrationVerification
    {
        public string TableName { get; init; }
        public EcommerceEntity Entity { get; init; }
        public bool Passed { get; init; }
        /// <summary>Source count minus rejects (from the source when given, else from the status item).</summary>
        public long ExpectedCount { get; init; }
        /// <summary>Items of this entityType in the table (parallel Scan, Select=COUNT; status items are not counted).</summary>
        public long ActualCount { get; init; }
        /// <summary>Documents re-mapped and compared (0 when no source was given).</summary>
        public int SampleSize { get; init; }
        public MigrationMismatch[] Mismatches { get; init; } = Array.Empty<MigrationMismatch>();
        public DateTime VerifiedAt { get; init; }
        public string[] Notes { get; init; } = Array.Empty<string>();
    }

    /// <summary>One difference found by verification. Values of password/hash attributes are never shown.</summary>
    public sealed class MigrationMismatch
    {
        public string Id { get; init; }
        public string Attribute { get; init; }
        public string Problem { get; init; }
        public override string ToString() => Attribute == null ? $"{Id}: {Problem}" : $"{Id}.{Attribute}: {Problem}";
    }
}
