using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the categories of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the categories collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK CATEGORY#&lt;id&gt;, GSI1 keys, id, entityType CATEGORY, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
    /// <para>Throttling (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, 5xx) and UnprocessedItems are retried with exponential backoff and jitter while the concurrency is lowered; no item is dropped. A batch that makes no progress for 2 minutes fails the run (MigrationStalled).</para>
    /// <para>Progress is kept in a status item in the target table (PK = MIGRATION#CATEGORY, SK = STATUS, entityType = MIGRATION_STATUS) with RunId, Source (password masked), SourceCount, Written, Rejected, Checkpoint, StartedAt, FinishedAt, State (Running, Completed, Failed, Interrupted), ItemsPerSecond and RejectPath, updated every 3 seconds and at the end. The checkpoint is a watermark: every document up to it is written or rejected. Running the command again resumes after it; -Restart starts over; a completed migration run again writes nothing new and says so in Notes.</para>
    /// <para>Documents that cannot be mapped (missing key field, bad number, unsupported BSON type, item over 400 KB) are written to the rejects file and counted, never silently dropped. Ctrl+C and errors record the state Interrupted or Failed with the last checkpoint; a failure then stops the command with a terminating error. The table is checked (TableNotFound) before the source is opened; for a PROVISIONED table a warning gives the write units and the time the run needs when it exceeds 10 minutes.</para>
    /// <para>-WhatIf reads and maps every document and reports what would be written and rejected; nothing is written (no items, no status item, no rejects file).</para>
    /// <para>One run per entity and table at a time: the run takes a lease on its status item before reading the source (renewed with every status update, released by the final one; 60 s unless ECOM_MIGRATION_LEASE_SECONDS says otherwise). A second run meanwhile stops with MigrationAlreadyRunning (ResourceBusy) naming the run, host, PID and when the lease expires; if that process died, run again once its lease has expired and it resumes from the checkpoint. A run that loses its lease stops with MigrationLeaseLost without moving the checkpoint. -WhatIf takes no lease.</para>
    /// </remarks>
    /// <example>
    /// <code>Invoke-CategoryMigration -TableName ecommerce-cameroon -MongoUri 'mongodb://admin:secret@db.example.cm:27017/shop'</code>
    /// <para>Migrates the categories collection of the shop database; the output shows the source as mongodb://admin:****@db.example.cm:27017/shop.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-CategoryMigration ecommerce-cameroon -Path ./dump/shop/categories.bson -WhatIf</code>
    /// <para>Reads and maps every category and reports how many would be written and rejected, writing nothing.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "CategoryMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationResult))]
    public sealed class InvokeCategoryMigrationCommand : EntityMigrationCmdlet
    {
        protected override EcommerceEntity Entity => EcommerceEntity.Category;
    }
}
