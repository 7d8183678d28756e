using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Output;

namespace EcommerceAws.Internal
{
    /// <summary>Parameters shared by Get-MigrationStatus -Verify and Test-EcommerceMigration: the source to re-map a sample from.</summary>
    public abstract class VerificationCmdlet : MigrationCmdlet
    {
        /// <summary><para>The single table holding the migrated items and the status items. Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>Entities to show or check. Default: all four. The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter]
        [EntityNameTransformation]
        public EcommerceEntity[] Entity { get; set; }

        /// <summary><para>Source to re-map the sample from (the masked source in the status item cannot be read back). Without -MongoUri or -Path only the counts are checked.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>Database to read with -MongoUri. Default: the database in the URI.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>The source file (with one -Entity) or a folder of &lt;collection&gt;.json/.bson/.bson.gz files, to re-map the sample from.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>Source documents picked at random, re-mapped and compared attribute by attribute with the stored items. Default 100; 0 checks counts only.</para></summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int SampleSize { get; set; } = 100;

        protected EcommerceEntity[] Entities => Entity == null || Entity.Length == 0 ? System.Enum.GetValues<EcommerceEntity>() : Entity;

        protected void CheckVerificationInput()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            if (MongoUri != null && Path != null)
                ThrowInputError("AmbiguousSource", Path, "Pass either -MongoUri or -Path, not both.", "Keep the one the migration read from.");
            if (Path != null && !System.IO.Directory.Exists(FullPath(Path)) && Entities.Length != 1)
                ThrowInputError("PathNeedsOneEntity", FullPath(Path), "-Path names a file, which holds one entity; pass -Entity with one entity, or a folder.",
                    "Add -Entity Product (for example), or pass the dump folder.");
        }

        protected MigrationVerification VerifyEntity(MigrationService engine, EcommerceEntity entity)
        {
            MigrationSourceSpec source = ResolveSource(entity, MongoUri, Database, null, Path, terminating: false);
            // The result is recorded on the status item (Remove-MigratedSource relies on it): that write honours -WhatIf.
            bool record = ShouldProcess($"{TableName} ({entity} status item)", "Record the verification result");
            var spec = new VerificationSpec { Entity = entity, TableName = TableName, Source = source, SampleSize = SampleSize, Record = record };
            return Run(context => engine.VerifyAsync(spec, context));
        }
    }
}
