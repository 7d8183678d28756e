using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Output;

namespace EcommerceAws.Internal
{
    /// <summary>Invoke-ProductMigration, Invoke-UserMigration, Invoke-OrderMigration and Invoke-CategoryMigration: one entity each.</summary>
    public abstract class EntityMigrationCmdlet : MigrationRunCmdlet
    {
        #region Parameters

        /// <summary><para>The target single table (created by New-EcommerceTable). Binds by property name, so a table or stack object can be piped in.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string TableName { get; set; }

        /// <summary><para>MongoDB connection string, for example mongodb://user:password@host:27017/shop. The password is never printed (shown as ****).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>Database to read. Default: the database in -MongoUri.</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>Collection to read. Default: products, users, orders or categories (docs/DESIGN.md §4).</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Collection { get; set; }

        /// <summary><para>A mongoexport file (Extended JSON v2, one document per line or --jsonArray) or a mongodump .bson / .bson.gz file.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>BatchWriteItem calls (25 items each) in flight. Default 8. Lowered automatically while DynamoDB throttles, raised again when it stops.</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int MaxConcurrency { get; set; } = 8;

        /// <summary><para>The rejects file (JSON lines: entity, _id, reason, field, detail), or an existing folder for it. Default: ./&lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in the current directory. Created only when a document is rejected.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RejectPath { get; set; }

        /// <summary><para>Ignore the checkpoint of an earlier run and start from the first document (items already written are overwritten with the same content).</para></summary>
        [Parameter]
        public SwitchParameter Restart { get; set; }

        #endregion

        /// <summary>The entity this cmdlet migrates.</summary>
        protected abstract EcommerceEntity Entity { get; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            CheckImportInput();
            MigrationSourceSpec source = ResolveSource(Entity, MongoUri, Database, Collection, Path, terminating: true);
            if (Method == MigrationMethod.Import)
            {
                RunImport(TableName, new[] { new ImportEntitySpec { Entity = Entity, Source = source } }, FullPath(RejectPath), WorkingDirectory, Restart);
                return;
            }
            MigrationService engine = new MigrationService();
            string described = engine.DescribeSource(Entity, source);
            bool go = ShouldProcess($"table {TableName}", $"Migrate {Entity} documents from {described}");
            if (!go && !IsWhatIf) return;
            var spec = new MigrationSpec
            {
                Entity = Entity,
                TableName = TableName,
                Source = source,
                MaxConcurrency = MaxConcurrency,
                RejectPath = FullPath(RejectPath),
                WorkingDirectory = WorkingDirectory,
                Restart = Restart,
                DryRun = !go,
            };
            MigrationResult result = Run(context => engine.MigrateAsync(spec, context));
            WriteObject(result);
        }
    }
}
