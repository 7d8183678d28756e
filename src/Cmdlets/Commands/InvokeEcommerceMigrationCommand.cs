using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates categories, products, users and orders (or the -Entity you pick) into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Runs the entity migrations one after the other in the order categories, products, users, orders, each exactly as Invoke-CategoryMigration, Invoke-ProductMigration, Invoke-UserMigration and Invoke-OrderMigration do (streaming, 25-item BatchWriteItem calls with -MaxConcurrency in flight, backoff on throttling, rejects file, checkpoint in the status item PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS). It writes one MigrationResult per entity.</para>
    /// <para>The source is a MongoDB database (-MongoUri, with -Database when the URI names none; each entity reads its default collection) or a folder (-Path) holding &lt;collection&gt;.json, .bson or .bson.gz files (products.bson.gz, users.json, ...). An entity whose file is missing gets a non-terminating SourceFileNotFound error and is skipped.</para>
    /// <para>A failed entity (for example MigrationStalled or MongoConnectionFailed) records its status and stops the whole command with a terminating error, so the later entities (orders refer to users) are not migrated from a half-done state; run the command again to resume where it stopped. Entities already completed write nothing new.</para>
    /// <para>Accepts the table from the pipeline by property name: an EcommerceTableInfo (New-EcommerceTable) or an EcommerceStack (New-EcommerceStack).</para>
    /// <para>-WhatIf reads and maps everything and reports the counts without writing anything.</para>
    /// <para>A document is never dropped and never takes the run down: it is written exactly or written to the rejects file (JSON lines: entity, _id, reason, field, detail, position) and counted, so Written + Rejected = SourceCount. Reject reasons (README, "Reject reasons", has the table): MalformedDocument (a line or document that does not parse: bad JSON, bad $numberDecimal/$oid/$date, undecodable BSON; the file, line or byte offset and the parser's message are in detail; the run goes on, only an unreadable source stops it), InvalidId, MissingField, DuplicateKey (another document already has the key: "1" and 1, an ObjectId and its hex text, one _id twice in a dump; the first keeps it and is named), DuplicateEmail (users), UnsupportedBsonType, InvalidNumber (NaN, Infinity, over 38 significant digits, above 9.9999999999999999999999999999999999999E+125 or below 1E-130; the whole range in between is written exactly), InvalidKey, KeyTooLong (partition key over 2,048 bytes, sort key over 1,024, table or GSI1), NestingTooDeep (over 32 levels), InvalidAttributeName (empty or over 65,535 bytes), InvalidString (an unpaired surrogate), ItemTooLarge (over 400 KB as DynamoDB counts it), and ServiceRejected: a batch DynamoDB refuses with ValidationException is split in halves down to single items, the refused item is rejected with the service's message and the rest written (extra calls are reported in Notes). A resumed run writes no second record for a document the interrupted run already rejected.</para>
    /// <para>A checkpoint belongs to its source: the status item records the source's identity (a file's content fingerprint; a MongoDB database.collection), and resuming against another source stops before reading with MigrationSourceChanged (-Restart is safe: writes are idempotent). A re-run of a completed migration from MongoDB counts the collection again and warns about documents inserted with _ids below the checkpoint, naming -Restart.</para>
    /// <para>Ctrl+C and errors record the state Interrupted or Failed with the last checkpoint; a failure then stops the command with a terminating error. The table is checked (TableNotFound, TableSchemaMismatch) before the source is opened; for a PROVISIONED table a warning gives the write units and the time the run needs when it exceeds 10 minutes.</para>
    /// <para>One run per entity and table at a time: the run takes a lease on its status item before reading the source (renewed with every status update, released by the final one; 60 s unless ECOM_MIGRATION_LEASE_SECONDS says otherwise). A second run meanwhile stops with MigrationAlreadyRunning (ResourceBusy) naming the run, host, PID and when the lease expires; if that process died, run again once its lease has expired and it resumes from the checkpoint. A run that loses its lease stops with MigrationLeaseLost without moving the checkpoint. -WhatIf takes no lease.</para>
    /// <para>-Method Import (for a table that does not exist yet): the same mapping, item rules, rejects and checkpoints, but the items are staged as gzipped DYNAMODB_JSON objects (-StagingObjectSizeMB, default 128 MB uncompressed each) in -StagingBucket under ecommerceaws-import/&lt;table&gt;/&lt;runId&gt;/, and one ImportTable call creates the table (keys, GSI1 projecting ALL, on-demand, SSE-KMS) and loads them inside AWS, consuming no write capacity and billed per GB of uncompressed data. Then deletion protection, point-in-time recovery and the ManagedBy tag are applied, the status items written (Get-MigrationStatus and Test-EcommerceMigration work as after a write run; they also record the ImportTable ARN and, for MongoDB, the cluster time read before the export as ChangeStreamStartAt) and the staged objects deleted (-KeepStaging keeps them; a lifecycle rule expires them after 7 days anyway). A run interrupted or killed resumes from its manifest (ecommerceaws-import/&lt;table&gt;/manifest.json): objects already staged are not uploaded again and the import is started once. An existing table stops the command with MigrationImportTableExists before anything is read; an import that ends FAILED or with errors stops it with MigrationImportFailed naming the error count, the import ARN and the CloudWatch Logs group /aws-dynamodb/imports.</para>
    /// </remarks>
    /// <example>
    /// <code>$stack | Invoke-EcommerceMigration -MongoUri $env:MONGODB_URI</code>
    /// <para>Migrates the four collections of the database named in MONGODB_URI into the stack's table, one result per entity.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-EcommerceMigration -TableName ecommerce-cameroon -Path ./dump/shop -Entity Product, User | Format-Table Entity, Written, Rejected, State</code>
    /// <para>Migrates products and users from mongodump files in ./dump/shop (products.bson, users.bson).</para>
    /// </example>
    /// <example>
    /// <code>Invoke-EcommerceMigration -TableName shop -Path ./dump/shop -Method Import -StagingBucket shop-assets -Verbose</code>
    /// <para>Imports the four collections of a mongodump folder into the new table shop, staging them in the asset bucket shop-assets: one ImportTable call for all entities, one result per entity. A piped EcommerceStack binds its BucketName to -StagingBucket. New-EcommerceStack -Name shop afterwards finds the table as New-EcommerceTable would have made it.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "EcommerceMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationResult))]
    public sealed class InvokeEcommerceMigrationCommand : MigrationRunCmdlet
    {
        #region Parameters

        /// <summary><para>The target single table. Binds by property name from an EcommerceTableInfo or EcommerceStack.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string TableName { get; set; }

        /// <summary><para>Entities to migrate. Default: all, in the order Category, Product, User, Order (the order is kept whatever order you list them in).</para></summary>
        [Parameter]
        public EcommerceEntity[] Entity { get; set; }

        /// <summary><para>MongoDB connection string, for example mongodb://user:password@host:27017/shop. The password is never printed (shown as ****).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>Database to read. Default: the database in -MongoUri.</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>A folder holding one export or dump file per collection: categories, products, users, orders with the extension .json, .bson or .bson.gz.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>BatchWriteItem calls (25 items each) in flight per entity. Default 8; lowered automatically while DynamoDB throttles.</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int MaxConcurrency { get; set; } = 8;

        /// <summary><para>A folder for the rejects files (&lt;entity&gt;-rejects-&lt;runId&gt;.jsonl). Default: the current directory.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RejectPath { get; set; }

        /// <summary><para>Ignore the checkpoints of earlier runs and start every entity from its first document.</para></summary>
        [Parameter]
        public SwitchParameter Restart { get; set; }

        #endregion

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            if (Path != null && !System.IO.Directory.Exists(FullPath(Path)))
                ThrowInputError("SourceFolderNotFound", FullPath(Path), $"-Path must be a folder holding <collection>.json/.bson/.bson.gz files; '{FullPath(Path)}' is not a folder.",
                    "Pass the mongodump output folder (for example ./dump/shop), or use Invoke-ProductMigration -Path <file> for one file.", ErrorCategory.ObjectNotFound);
            CheckImportInput();
            EcommerceEntity[] entities = (Entity == null || Entity.Length == 0 ? System.Enum.GetValues<EcommerceEntity>() : Entity).Distinct().OrderBy(e => e).ToArray();
            string rejectFolder = RejectPath != null ? FullPath(RejectPath) : WorkingDirectory;
            if (Method == MigrationMethod.Import)
            {
                // One table, created once: every entity's objects go into a single ImportTable call.
                var imports = entities.Select(entity => new ImportEntitySpec { Entity = entity, Source = ResolveSource(entity, MongoUri, Database, null, Path, terminating: false) })
                    .Where(import => import.Source != null).ToList();
                RunImport(TableName, imports, null, rejectFolder, Restart);
                return;
            }
            MigrationService engine = new MigrationService();

            foreach (EcommerceEntity entity in entities)
            {
                MigrationSourceSpec source = ResolveSource(entity, MongoUri, Database, null, Path, terminating: false);
                if (source == null) continue;
                string described = engine.DescribeSource(entity, source);
                bool go = ShouldProcess($"table {TableName}", $"Migrate {entity} documents from {described}");
                if (!go && !IsWhatIf) continue;
                var spec = new MigrationSpec
                {
                    Entity = entity,
                    TableName = TableName,
                    Source = source,
                    MaxConcurrency = MaxConcurrency,
                    WorkingDirectory = rejectFolder,
                    Restart = Restart,
                    DryRun = !go,
                };
                WriteObject(Run(context => engine.MigrateAsync(spec, context)));
            }
        }
    }
}
