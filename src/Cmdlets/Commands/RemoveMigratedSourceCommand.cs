using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Drops a migrated MongoDB source collection, only after its migration was verified.</summary>
    /// <remarks>
    /// <para>Reads the entity's status item in -TableName and drops the source collection only when the last migration is Completed, its last Test-EcommerceMigration passed after that run finished, and the status item's source is this URI's database and collection. Otherwise it stops with the terminating error MigrationNotVerified and touches nothing. Only that one collection is dropped; other collections and the database stay.</para>
    /// <para>ConfirmImpact is High: PowerShell asks before dropping unless -Confirm:$false. -WhatIf checks the verification and shows what would be dropped. The URI's password is never printed.</para>
    /// </remarks>
    /// <example>
    /// <code>Test-EcommerceMigration ecommerce-cameroon -Entity Product -MongoUri $uri; Remove-MigratedSource -TableName ecommerce-cameroon -MongoUri $uri -Entity Product</code>
    /// <para>Verifies the product migration, then drops the products collection after confirmation.</para>
    /// </example>
    /// <example>
    /// <code>Remove-MigratedSource ecommerce-cameroon -MongoUri $uri -Entity Order -Collection orders_2023 -WhatIf</code>
    /// <para>Shows whether the orders_2023 collection could be dropped, dropping nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "MigratedSource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveMigratedSourceCommand : MigrationCmdlet
    {
        /// <summary><para>The table the entity was migrated to (its status item records the verification). Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>MongoDB connection string of the source. The password is never printed.</para></summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>The entity whose source collection to drop. The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter(Mandatory = true)]
        [EntityNameTransformation]
        public EcommerceEntity Entity { get; set; }

        /// <summary><para>Database of the collection. Default: the database in -MongoUri.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>Collection to drop. Default: the entity's default collection (products, users, orders, categories).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Collection { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            var source = new MigrationSourceSpec { MongoUri = MongoUri, Database = Database, Collection = Collection };
            MigrationService engine = new MigrationService();
            string described = Run(context => engine.CheckSourceRemovableAsync(TableName, Entity, source, context));
            if (!ShouldProcess(described, "Drop the MongoDB collection")) return;
            Run(context => engine.RemoveSourceAsync(TableName, Entity, source, context));
        }
    }
}
