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
        /// <summary><para>Entities to migrate. Default: all, in the order Category, Product, User, Order (the order is kept whatever order you list them in). The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter]
        [EntityNameTransformation]
        public EcommerceEntity[] Entity { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            if (Path != null && !System.IO.Directory.Exists(FullPath(Path)))
                ThrowTerminatingError(EcommerceErrors.SourceFolderNotFound(FullPath(Path), System.IO.File.Exists(FullPath(Path))
                    ? $"-Path must be a folder holding <collection>.json/.bson/.bson.gz files; '{FullPath(Path)}' is a file (Invoke-ProductMigration -Path <file> migrates one file)."
                    : null).ToErrorRecord());
            CheckImportInput();
            EcommerceEntity[] entities = (Entity == null || Entity.Length == 0 ? System.Enum.GetValues<EcommerceEntity>() : Entity).Distinct().OrderBy(e => e).ToArray();
            // Several entities: -RejectPath is the folder for their rejects files.
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
                if (source != null) MigrateEntity(engine, entity, source, null, rejectFolder);
            }
        }
    }
}
