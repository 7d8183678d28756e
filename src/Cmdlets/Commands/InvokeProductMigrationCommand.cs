using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the products of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the products collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK PRODUCT#&lt;id&gt;, GSI1 keys, id, entityType PRODUCT, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
    /// <para>Throttling (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, 5xx) and UnprocessedItems are retried with exponential backoff and jitter while the concurrency is lowered; no item is dropped. A batch that makes no progress for 2 minutes fails the run (MigrationStalled).</para>
    /// <para>Progress is kept in a status item in the target table (PK = MIGRATION#PRODUCT, SK = STATUS, entityType = MIGRATION_STATUS) with RunId, Source (password masked), SourceCount, Written, Rejected, Checkpoint, StartedAt, FinishedAt, State (Running, Completed, Failed, Interrupted), ItemsPerSecond and RejectPath, updated every 3 seconds and at the end. The checkpoint is a watermark: every document up to it is written or rejected. Running the command again resumes after it; -Restart starts over; a completed migration run again writes nothing new and says so in Notes.</para>
    /// <para>A document is never dropped and never takes the run down: it is written exactly or written to the rejects file (JSON lines: entity, _id, reason, field, detail, position) and counted, so Written + Rejected = SourceCount. Reject reasons (README, "Reject reasons", has the table): MalformedDocument (a line or document that does not parse: bad JSON, bad $numberDecimal/$oid/$date, undecodable BSON; the file, line or byte offset and the parser's message are in detail; the run goes on, only an unreadable source stops it), InvalidId, MissingField, DuplicateKey (another document already has the key: "1" and 1, an ObjectId and its hex text, one _id twice in a dump; the first keeps it and is named), DuplicateEmail (users), UnsupportedBsonType, InvalidNumber (NaN, Infinity, over 38 significant digits, above 9.9999999999999999999999999999999999999E+125 or below 1E-130; the whole range in between is written exactly), InvalidKey, KeyTooLong (partition key over 2,048 bytes, sort key over 1,024, table or GSI1), NestingTooDeep (over 32 levels), InvalidAttributeName (empty or over 65,535 bytes), InvalidString (an unpaired surrogate), ItemTooLarge (over 400 KB as DynamoDB counts it), and ServiceRejected: a batch DynamoDB refuses with ValidationException is split in halves down to single items, the refused item is rejected with the service's message and the rest written (extra calls are reported in Notes). A resumed run writes no second record for a document the interrupted run already rejected.</para>
    /// <para>A checkpoint belongs to its source: the status item records the source's identity (a file's content fingerprint; a MongoDB database.collection), and resuming against another source stops before reading with MigrationSourceChanged (-Restart is safe: writes are idempotent). A re-run of a completed migration from MongoDB counts the collection again and warns about documents inserted with _ids below the checkpoint, naming -Restart.</para>
    /// <para>Ctrl+C and errors record the state Interrupted or Failed with the last checkpoint; a failure then stops the command with a terminating error. The table is checked (TableNotFound, TableSchemaMismatch) before the source is opened; for a PROVISIONED table a warning gives the write units and the time the run needs when it exceeds 10 minutes.</para>
    /// <para>-WhatIf reads and maps every document and reports what would be written and rejected; nothing is written (no items, no status item, no rejects file).</para>
    /// <para>One run per entity and table at a time: the run takes a lease on its status item before reading the source (renewed with every status update, released by the final one; 60 s unless ECOM_MIGRATION_LEASE_SECONDS says otherwise). A second run meanwhile stops with MigrationAlreadyRunning (ResourceBusy) naming the run, host, PID and when the lease expires; if that process died, run again once its lease has expired and it resumes from the checkpoint. A run that loses its lease stops with MigrationLeaseLost without moving the checkpoint. -WhatIf takes no lease.</para>
    /// <para>-Method Import (for a table that does not exist yet): the same mapping, item rules, rejects and checkpoints, but the items are staged as gzipped DYNAMODB_JSON objects (-StagingObjectSizeMB, default 128 MB uncompressed each) in -StagingBucket under ecommerceaws-import/&lt;table&gt;/&lt;runId&gt;/, and one ImportTable call creates the table (keys, GSI1 projecting ALL, on-demand, SSE-KMS) and loads them inside AWS, consuming no write capacity and billed per GB of uncompressed data. Then deletion protection, point-in-time recovery and the ManagedBy tag are applied, the status items written (Get-MigrationStatus and Test-EcommerceMigration work as after a write run; they also record the ImportTable ARN and, for MongoDB, the cluster time read before the export as ChangeStreamStartAt) and the staged objects deleted (-KeepStaging keeps them; a lifecycle rule expires them after 7 days anyway). A run interrupted or killed resumes from its manifest (ecommerceaws-import/&lt;table&gt;/manifest.json): objects already staged are not uploaded again and the import is started once. An existing table stops the command with MigrationImportTableExists before anything is read; an import that ends FAILED or with errors stops it with MigrationImportFailed naming the error count, the import ARN and the CloudWatch Logs group /aws-dynamodb/imports.</para>
    /// </remarks>
    /// <example>
    /// <code>Invoke-ProductMigration -TableName ecommerce-cameroon -MongoUri 'mongodb://admin:secret@db.example.cm:27017/shop'</code>
    /// <para>Migrates the products collection of the shop database; the output shows the source as mongodb://admin:****@db.example.cm:27017/shop.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-ProductMigration -TableName ecommerce-cameroon -Path ./dump/shop/products.bson.gz -MaxConcurrency 16 -Verbose</code>
    /// <para>Reads a gzipped mongodump file with 16 writers, with a verbose line per batch of 25.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-ProductMigration -TableName shop-catalogue -Path ./dump/shop/products.bson -Method Import -StagingBucket shop-assets -KeepStaging</code>
    /// <para>Creates the table shop-catalogue with ImportTable from the products of a dump, staged in the bucket shop-assets, and leaves the staged objects there.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "ProductMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationResult))]
    public sealed class InvokeProductMigrationCommand : EntityMigrationCmdlet
    {
        protected override EcommerceEntity Entity => EcommerceEntity.Product;
    }
}
