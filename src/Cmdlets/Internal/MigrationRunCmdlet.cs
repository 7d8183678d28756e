using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
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
    /// <para>-Method Import (for a table that does not exist yet): the same mapping, item rules and rejects, but the items are staged as gzipped DYNAMODB_JSON objects (-StagingObjectSizeMB, default 128 MB uncompressed each) in -StagingBucket under ecommerceaws-import/&lt;table&gt;/&lt;runId&gt;/, and one ImportTable call creates the table (keys, GSI1 projecting ALL, on-demand, SSE-KMS) and loads them inside AWS, consuming no write capacity and billed per GB of uncompressed data. Then deletion protection, point-in-time recovery and the ManagedBy tag are applied, the status items written (Get-MigrationStatus and Test-EcommerceMigration work as after a write run; they also record the ImportTable ARN and, for MongoDB, the cluster time read before the export as ChangeStreamStartAt) and the staged objects deleted (-KeepStaging keeps them; a lifecycle rule expires them after 7 days anyway). A run interrupted or killed resumes from its manifest (ecommerceaws-import/&lt;table&gt;/manifest.json): objects already staged are not uploaded again and the import is started once. An existing table stops the command with MigrationImportTableExists before anything is read; an import that ends FAILED or with errors stops it with MigrationImportFailed naming the error count, the import ARN and the CloudWatch Logs group /aws-dynamodb/imports.</para>
    /// </remarks>
    public abstract class MigrationRunCmdlet : MigrationSourceCmdlet
    {
        #region Parameters

        /// <summary><para>The target single table: created by New-EcommerceTable for -Method Write; for -Method Import a table that does not exist yet, which the import creates. Binds by property name, so an EcommerceTableInfo or an EcommerceStack can be piped in.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

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

        /// <summary><para>Write (default): BatchWriteItem from this machine into a table that exists (New-EcommerceTable), resumable from the checkpoint in the status item. Import: the items are staged as gzipped DYNAMODB_JSON objects in S3 (-StagingBucket) and DynamoDB's ImportTable creates the table (GSI1, on-demand, SSE-KMS) and loads them inside AWS without consuming write capacity, billed per GB of uncompressed staged data; then deletion protection, point-in-time recovery and the ManagedBy tag are applied, as New-EcommerceTable does. Import is for a table that does not exist yet.</para></summary>
        [Parameter]
        public MigrationMethod Method { get; set; } = MigrationMethod.Write;

        /// <summary><para>-Method Import: the S3 bucket to stage the objects in, under ecommerceaws-import/&lt;table&gt;/&lt;runId&gt;/ (a lifecycle rule on ecommerceaws-import/ expires anything left after 7 days; objects are encrypted by the bucket's default encryption, or SSE-S3). Binds by property name from an EcommerceStack's BucketName, so the stack's private asset bucket is used when a stack is piped in.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("BucketName")]
        [ValidateNotNullOrEmpty]
        public string StagingBucket { get; set; }

        /// <summary><para>-Method Import: uncompressed megabytes of DYNAMODB_JSON per staged object before the next one starts. Default 128 (ImportTable reads at most 50,000 objects per import, so the default covers over 6 TB).</para></summary>
        [Parameter]
        [ValidateRange(1, 4096)]
        public int StagingObjectSizeMB { get; set; } = 128;

        /// <summary><para>-Method Import: keep the staged objects and the manifest after a successful import (they are deleted by default; the lifecycle rule still expires them after 7 days).</para></summary>
        [Parameter]
        public SwitchParameter KeepStaging { get; set; }

        /// <summary><para>Do not ask before a long run on a PROVISIONED table. When the first 100 items show that the table's write capacity needs more than 10 minutes for the run, the command warns and asks whether to go on (nothing is written before the answer; No stops it with MigrationCapacityDeclined). A session that cannot prompt (pwsh -NonInteractive, a job) is not asked: it gets the warning and goes on. -Force skips the question.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc/>
        protected override bool SkipQuestions => Force;

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

        /// <summary>StagingBucket is required for Import and checked before any AWS call.</summary>
        protected void CheckImportInput()
        {
            if (Method != MigrationMethod.Import) return;
            if (string.IsNullOrEmpty(StagingBucket))
                ThrowInputError("MigrationStagingBucketMissing", Method,
                    "-Method Import stages the items in S3 before ImportTable loads them, but no -StagingBucket was given.",
                    "Pass -StagingBucket with a bucket of this account (for example the stack's asset bucket, <name>-assets), or pipe in the stack from Get-EcommerceStack.");
            CheckInput(() => AssetInputValidation.BucketName(StagingBucket));
        }

        /// <summary>Runs one import of every given entity (one new table) and writes a result per entity.</summary>
        protected void RunImport(string tableName, IReadOnlyList<ImportEntitySpec> entities, string rejectPath, string workingDirectory, bool restart)
        {
            if (entities.Count == 0) return;
            var engine = new MigrationService();
            string what = string.Join(", ", entities.Select(e => $"{e.Entity} from {engine.DescribeSource(e.Entity, e.Source)}"));
            bool go = ShouldProcess($"table {tableName} (new)", $"Import {what} through s3://{StagingBucket}/ecommerceaws-import/ with ImportTable");
            if (!go && !IsWhatIf) return;
            var spec = new ImportSpec
            {
                TableName = tableName,
                Entities = entities,
                StagingBucket = StagingBucket,
                StagingObjectBytes = StagingObjectSizeMB * 1024L * 1024L,
                KeepStaging = KeepStaging,
                RejectPath = rejectPath,
                WorkingDirectory = workingDirectory,
                Restart = restart,
                DryRun = !go,
            };
            foreach (MigrationResult result in Run(context => engine.ImportAsync(spec, context))) WriteObject(result);
        }
    }
}
