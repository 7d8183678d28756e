using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Output;

namespace EcommerceAws.Internal
{
    /// <summary>What every Invoke-*Migration cmdlet shares: the target table, the source, the writers, the rejects file, -Restart.</summary>
    /// <remarks>
    /// <para>Throttling (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, 5xx) and UnprocessedItems are retried with exponential backoff and jitter while the concurrency is lowered; no item is dropped. A batch that makes no progress for 2 minutes fails the run (MigrationStalled).</para>
    /// <para>Progress is kept in a status item in the target table (PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS, entityType = MIGRATION_STATUS) with RunId, Source (password masked), SourceCount, Written, Rejected, Checkpoint, StartedAt, FinishedAt, State (Running, Completed, Failed, Interrupted), ItemsPerSecond and RejectPath, updated every 3 seconds and at the end. The checkpoint is a watermark: every document up to it is written or rejected. Running the command again resumes after it; -Restart starts over; a completed migration run again writes nothing new and says so in Notes.</para>
    /// <para>A document is never dropped and never takes the run down: it is written exactly or written to the rejects file (JSON lines: entity, _id, reason, field, detail, position) and counted, so Written + Rejected = SourceCount. Reject reasons (README, "Reject reasons", has the table): MalformedDocument (a line or document that does not parse: bad JSON, bad $numberDecimal/$oid/$date, undecodable BSON; the file, line or byte offset and the parser's message are in detail; the run goes on, only an unreadable source stops it), InvalidId, MissingField, DuplicateKey (another document already has the key: "1" and 1, an ObjectId and its hex text, one _id twice in a dump; the first keeps it and is named), DuplicateEmail (users), UnsupportedBsonType, InvalidNumber (NaN, Infinity, over 38 significant digits, above 9.9999999999999999999999999999999999999E+125 or below 1E-130; the whole range in between is written exactly), InvalidKey, KeyTooLong (partition key over 2,048 bytes, sort key over 1,024, table or GSI1), NestingTooDeep (over 32 levels), InvalidAttributeName (empty or over 65,535 bytes), InvalidString (an unpaired surrogate), ItemTooLarge (over 400 KB as DynamoDB counts it), and ServiceRejected: a batch DynamoDB refuses with ValidationException is split in halves down to single items, the refused item is rejected with the service's message and the rest written (extra calls are reported in Notes). A resumed run writes no second record for a document the interrupted run already rejected.</para>
    /// <para>A checkpoint belongs to its source: the status item records the source's identity (a file's content fingerprint; a MongoDB database.collection), and resuming against another source stops before reading with MigrationSourceChanged (-Restart is safe: writes are idempotent). A re-run of a completed migration from MongoDB counts the collection again and warns about documents inserted with _ids below the checkpoint, naming -Restart.</para>
    /// <para>Ctrl+C and errors record the state Interrupted or Failed with the last checkpoint; a failure then stops the command with a terminating error. The table is checked (TableNotFound, TableSchemaMismatch) before the source is opened; for a PROVISIONED table a warning gives the write units and the time the run needs when it exceeds 10 minutes.</para>
    /// <para>-WhatIf reads and maps every document and reports what would be written and rejected; nothing is written (no items, no status item, no rejects file).</para>
    /// <para>One run per entity and table at a time: the run takes a lease on its status item before reading the source (renewed with every status update, released by the final one; 60 s unless ECOM_MIGRATION_LEASE_SECONDS says otherwise). A second run meanwhile stops with MigrationAlreadyRunning (ResourceBusy) naming the run, host, PID and when the lease expires; if that process died, run again once its lease has expired and it resumes from the checkpoint. A run that loses its lease stops with MigrationLeaseLost without moving the checkpoint. -WhatIf takes no lease.</para>
    /// </remarks>
    public abstract class MigrationRunCmdlet : MigrationCmdlet
    {
        #region Parameters

        /// <summary><para>The target single table (created by New-EcommerceTable). Binds by property name, so an EcommerceTableInfo or an EcommerceStack can be piped in.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>MongoDB connection string, for example mongodb://user:password@host:27017/shop. The password is never printed (shown as ****).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>Database to read. Default: the database in -MongoUri.</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>A folder holding one mongoexport or mongodump file per collection (&lt;collection&gt;.json, .bson or .bson.gz: categories, products, users, orders), or, for one entity, the file itself (Extended JSON v2, one document per line or --jsonArray; a mongodump .bson or .bson.gz). Binds the FullName or PSPath of piped files and folders: Get-Item ./dump/shop/products.bson | Invoke-ProductMigration -TableName shop.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>BatchWriteItem calls (25 items each) in flight per entity. Default 8. Lowered automatically while DynamoDB throttles, raised again when it stops.</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int MaxConcurrency { get; set; } = 8;

        /// <summary><para>An existing folder for the rejects files (&lt;entity&gt;-rejects-&lt;runId&gt;.jsonl; JSON lines: entity, _id, reason, field, detail, position), or, for one entity, the rejects file itself. Default: the current directory. A file is created only when a document is rejected.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RejectPath { get; set; }

        /// <summary><para>Ignore the checkpoints of earlier runs and start from the first document (items already written are overwritten with the same content).</para></summary>
        [Parameter]
        public SwitchParameter Restart { get; set; }

        #endregion

        /// <summary>
        /// Migrates one entity from its resolved source: asks ShouldProcess (a declined -Confirm skips it; -WhatIf reads and
        /// maps everything and writes nothing) and writes the MigrationResult.
        /// </summary>
        protected void MigrateEntity(MigrationService engine, EcommerceEntity entity, MigrationSourceSpec source, string rejectPath, string workingDirectory)
        {
            string described = engine.DescribeSource(entity, source);
            bool go = ShouldProcess($"table {TableName}", $"Migrate {entity} documents from {described}");
            if (!go && !IsWhatIf) return;
            var spec = new MigrationSpec
            {
                Entity = entity,
                TableName = TableName,
                Source = source,
                MaxConcurrency = MaxConcurrency,
                RejectPath = rejectPath,
                WorkingDirectory = workingDirectory,
                Restart = Restart,
                DryRun = !go,
            };
            WriteObject(Run(context => engine.MigrateAsync(spec, context)));
        }
    }
}
