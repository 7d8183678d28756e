using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;

namespace EcommerceAws.Internal
{
    /// <summary>Invoke-ProductMigration, Invoke-UserMigration, Invoke-OrderMigration and Invoke-CategoryMigration: one entity each.</summary>
    public abstract class EntityMigrationCmdlet : MigrationRunCmdlet
    {
        /// <summary><para>Collection to read with -MongoUri. Default: products, users, orders or categories (docs/DESIGN.md §4).</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Collection { get; set; }

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
            MigrateEntity(new MigrationService(), Entity, source, FullPath(RejectPath), WorkingDirectory);
        }
    }
}
