using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the categories of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the categories collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK CATEGORY#&lt;id&gt;, GSI1 keys, id, entityType CATEGORY, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
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
