using System;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>
    /// One entity's Sync-EcommerceMigration run when it stops (-Drain, -Until): its full load (if it ran one), the change
    /// events applied, and the resume point the next run continues from.
    /// </summary>
    public sealed class MigrationSyncResult
    {
        public string TableName { get; init; }
        public EcommerceEntity Entity { get; init; }
        public string RunId { get; init; }
        /// <summary>Where the documents come from; MongoDB passwords masked as ****.</summary>
        public string Source { get; init; }
        public MigrationState State { get; init; }
        public SyncPhase Phase { get; init; }
        /// <summary>The full load this run made or resumed; null when a completed one was found (the run only streamed).</summary>
        public MigrationResult FullLoad { get; init; }
        /// <summary>Change events applied, by every run of this sync (replays after a crash are not counted twice).</summary>
        public long EventsApplied { get; init; }
        /// <summary>Change events whose document was rejected (the reason is in the rejects file), by every run of this sync.</summary>
        public long EventsRejected { get; init; }
        /// <summary>Events applied by this invocation.</summary>
        public long EventsThisRun { get; init; }
        /// <summary>The source's cluster time the change stream started from (before the full load read anything), as seconds:increment.</summary>
        public string StartPoint { get; init; }
        /// <summary>The cluster time of the last applied change (UTC); null before the first.</summary>
        public DateTime? LastEventTime { get; init; }
        /// <summary>Seconds the table was behind the source when the run stopped (0 when caught up).</summary>
        public double LagSeconds { get; init; }
        /// <summary>The resume token after which every change is applied: the next run continues from it.</summary>
        public string ResumePoint { get; init; }
        /// <summary>With -Drain: the source's cluster time the run caught up to (seconds:increment).</summary>
        public string DrainedTo { get; init; }
        public TimeSpan Duration { get; init; }
        public double EventsPerSecond { get; init; }
        public string RejectPath { get; init; }
        /// <summary>True for -WhatIf: the source, privileges and resume points were checked; nothing was written.</summary>
        public bool WhatIf { get; init; }
        public string[] Notes { get; init; } = Array.Empty<string>();
    }
}
