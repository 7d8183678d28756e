using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the products of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the products collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK PRODUCT#&lt;id&gt;, GSI1 keys, id, entityType PRODUCT, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
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
