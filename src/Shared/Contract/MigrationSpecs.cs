using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>State of a migration as kept in its status item.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum MigrationState { Running, Completed, Failed, Interrupted }

    /// <summary>
    /// How items reach the table: Write (BatchWriteItem from this machine, into an existing table) or Import (gzipped
    /// DYNAMODB_JSON staged in S3, then DynamoDB's ImportTable creates the table and loads it; docs/DESIGN.md §5).
    /// </summary>
    public enum MigrationMethod { Write, Import }

    /// <summary>Where a migration reads from: a MongoDB collection or a dump/export file (exactly one).</summary>
    public sealed class MigrationSourceSpec
    {
        public string MongoUri { get; init; }
        public string Database { get; init; }
        /// <summary>Collection name; null = the entity's default (docs/DESIGN.md §4).</summary>
        public string Collection { get; init; }
        /// <summary>A mongoexport JSON or mongodump .bson/.bson.gz file (full path).</summary>
        public string Path { get; init; }
        public bool IsGiven => !string.IsNullOrEmpty(MongoUri) || !string.IsNullOrEmpty(Path);
    }

    /// <summary>What an Invoke-*Migration run asks for.</summary>
    public sealed class MigrationSpec
    {
        public EcommerceEntity Entity { get; init; }
        public string TableName { get; init; }
        public MigrationSourceSpec Source { get; init; }
        public int MaxConcurrency { get; init; } = 8;
        /// <summary>Full path of the rejects file; null = ./&lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in WorkingDirectory.</summary>
        public string RejectPath { get; init; }
        public string WorkingDirectory { get; init; }
        public bool Restart { get; init; }
        /// <summary>Read and map everything, write nothing (no items, no status, no rejects file).</summary>
        public bool DryRun { get; init; }
    }

    /// <summary>One entity of an import and where it is read from.</summary>
    public sealed class ImportEntitySpec
    {
        public EcommerceEntity Entity { get; init; }
        public MigrationSourceSpec Source { get; init; }
    }

    /// <summary>What Invoke-*Migration -Method Import asks for: every entity goes into one ImportTable call (one new table).</summary>
    public sealed class ImportSpec
    {
        public string TableName { get; init; }
        public IReadOnlyList<ImportEntitySpec> Entities { get; init; }
        /// <summary>The S3 bucket the gzipped DYNAMODB_JSON objects are staged in (the stack's asset bucket or any bucket of the account).</summary>
        public string StagingBucket { get; init; }
        /// <summary>Uncompressed bytes per staged object before a new one is started.</summary>
        public long StagingObjectBytes { get; init; } = DefaultStagingObjectBytes;
        /// <summary>Leave the staged objects (and the manifest) in the bucket after a successful import; the lifecycle rule still expires them.</summary>
        public bool KeepStaging { get; init; }
        /// <summary>A rejects file (one entity) or an existing folder; null = &lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in WorkingDirectory.</summary>
        public string RejectPath { get; init; }
        public string WorkingDirectory { get; init; }
        /// <summary>Forget an unfinished staging run (its objects are deleted) and start from the first document.</summary>
        public bool Restart { get; init; }
        /// <summary>Read, map and compress everything; upload nothing, create nothing.</summary>
        public bool DryRun { get; init; }

        public const long DefaultStagingObjectBytes = 128L * 1024 * 1024;
    }

    /// <summary>What a verification asks for.</summary>
    public sealed class VerificationSpec
    {
        public EcommerceEntity Entity { get; init; }
        public string TableName { get; init; }
        /// <summary>The source to re-map a sample from; not given = counts only.</summary>
        public MigrationSourceSpec Source { get; init; }
        public int SampleSize { get; init; } = 100;
        public int Segments { get; init; } = 4;
        /// <summary>Store the result on the status item (false under -WhatIf: verify, report, write nothing).</summary>
        public bool Record { get; init; } = true;
        /// <summary>Compare every source document with its item and every item with its document (Test-EcommerceMigration -Full), not a sample.</summary>
        public bool Full { get; init; }
        /// <summary>With <see cref="Full"/>: how many differences are listed (all are counted).</summary>
        public int MaxListed { get; init; } = 1000;
    }

}

namespace EcommerceAws.Contract
{
    /// <summary>Where a sync stands (docs/DESIGN.md §5): its full load, then the change stream, or stopped by -Drain once caught up.</summary>
    public enum SyncPhase { FullLoad, Streaming, Drained }

    /// <summary>What a Sync-EcommerceMigration run asks for.</summary>
    public sealed class SyncSpec
    {
        public EcommerceEntity[] Entities { get; init; }
        public string TableName { get; init; }
        /// <summary>A MongoDB source (MongoUri, Database); Collection is each entity's default.</summary>
        public MigrationSourceSpec Source { get; init; }
        public int MaxConcurrency { get; init; } = 8;
        /// <summary>Folder for the rejects files; null = WorkingDirectory.</summary>
        public string RejectFolder { get; init; }
        public string WorkingDirectory { get; init; }
        /// <summary>A new start point and a new full load, whatever the status items say (after ChangeStreamHistoryLost).</summary>
        public bool Restart { get; init; }
        /// <summary>Catch up to the source's cluster time at the start of the run, then stop (Phase Drained).</summary>
        public bool Drain { get; init; }
        /// <summary>Stop streaming at this time (UTC); null = run until -Drain or Ctrl+C.</summary>
        public System.DateTime? Until { get; init; }
        /// <summary>Check the source, the privileges and the resume points; write nothing.</summary>
        public bool DryRun { get; init; }
    }
}
