using System;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>One entity's migration status item (PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS) as Get-MigrationStatus shows it.</summary>
    public sealed class MigrationStatusInfo
    {
        public string TableName { get; init; }
        public EcommerceEntity Entity { get; init; }
        public string RunId { get; init; }
        public MigrationState State { get; init; }
        public string Source { get; init; }
        public long SourceCount { get; init; }
        public long Written { get; init; }
        public long Rejected { get; init; }
        public string Checkpoint { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public DateTime? UpdatedAt { get; init; }
        public double ItemsPerSecond { get; init; }
        public string RejectPath { get; init; }
        /// <summary>Why the last run failed or was interrupted, if it did.</summary>
        public string Message { get; init; }
        public DateTime? LastVerifiedAt { get; init; }
        public bool? LastVerificationPassed { get; init; }
        /// <summary>Host and PID of the run holding the status item's lease (a run in progress, or a dead one until it expires); null when free.</summary>
        public string LeaseHolder { get; init; }
        /// <summary>When that lease runs out unless its run renews it (UTC).</summary>
        public DateTime? LeaseExpiresAt { get; init; }
        /// <summary>Filled by Get-MigrationStatus -Verify.</summary>
        public MigrationVerification Verification { get; init; }
    }
}
