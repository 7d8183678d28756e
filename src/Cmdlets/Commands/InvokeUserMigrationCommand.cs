using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Migrates the users of a MongoDB collection or dump file into the e-commerce single DynamoDB table.</summary>
    /// <remarks>
    /// <para>Streams the users collection (sorted by _id) or a mongoexport/mongodump file, maps every document as docs/DESIGN.md §4 says (PK/SK USER#&lt;id&gt;, GSI1 keys, id, entityType USER, all other fields with their types) and writes them with BatchWriteItem, 25 items per call and -MaxConcurrency calls in flight. Memory does not grow with the collection size.</para>
    /// </remarks>
    /// <example>
    /// <code>Invoke-UserMigration -TableName ecommerce-cameroon -MongoUri 'mongodb://admin:secret@db.example.cm:27017/shop'</code>
    /// <para>Migrates the users collection of the shop database; the output shows the source as mongodb://admin:****@db.example.cm:27017/shop.</para>
    /// </example>
    /// <example>
    /// <code>Invoke-UserMigration ecommerce-cameroon -Path ./export/users.json -RejectPath ./rejects/users.jsonl | Where-Object Rejected -gt 0</code>
    /// <para>Migrates users from a mongoexport file; duplicate emails (trimmed, lower-cased) are rejected into ./rejects/users.jsonl, and the result is shown only when something was rejected.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Invoke, "UserMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationResult))]
    public sealed class InvokeUserMigrationCommand : EntityMigrationCmdlet
    {
        protected override EcommerceEntity Entity => EcommerceEntity.User;
    }
}
