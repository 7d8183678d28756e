using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the orders of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the orders collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK ORDER#&lt;id&gt;, GSI1 keys, id, entityType ORDER, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
    /// </remarks>
    /// <example>
    /// <code>Invoke-OrderMigration -TableName ecommerce-cameroon -MongoUri 'mongodb://admin:secret@db.example.cm:27017/shop'</code>
    /// <para>Migrates the orders collection of the shop database; the output shows the source as mongodb://admin:****@db.example.cm:27017/shop.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-OrderMigration ecommerce-cameroon -MongoUri $env:MONGODB_URI -Restart</code>
    /// <para>Starts the order migration over from the first document, ignoring the checkpoint of an earlier run.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "OrderMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationResult))]
    public sealed class InvokeOrderMigrationCommand : EntityMigrationCmdlet
    {
        protected override EcommerceEntity Entity => EcommerceEntity.Order;
    }
}
