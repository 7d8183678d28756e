using System.Management.Automation;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// The source parameters every cmdlet that reads a whole migration source shares (Invoke-*Migration, Sync-EcommerceMigration,
    /// Measure-MigrationCost): -MongoUri and -Database, or -Path (a dump folder or one file), resolved per entity by
    /// <see cref="MigrationCmdlet.ResolveSource"/> so every one of them reads the same file of a folder.
    /// </summary>
    public abstract class MigrationSourceCmdlet : MigrationCmdlet
    {
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

    }
}
