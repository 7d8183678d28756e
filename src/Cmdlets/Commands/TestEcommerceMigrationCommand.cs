using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Verifies a migration: item counts per entity, and a random sample re-mapped from the source and compared attribute by attribute.</summary>
    /// <remarks>
    /// <para>Counts the items of each entity with a parallel Scan (4 segments, Select=COUNT, filtered on entityType, so status items are never counted) and compares the count with the source count minus the rejects recorded in the status item.</para>
    /// <para>With -MongoUri or -Path it also picks -SampleSize source documents at random (one streaming pass), maps them with the same mapping the migration uses, reads the stored items with BatchGetItem and compares every attribute and its DynamoDB type. Mismatches list the item id, the attribute and the problem; values of password, hash, secret and token attributes are never shown. Without a source only the counts are checked (a warning says so): the status item keeps the source masked, so it cannot be read back.</para>
    /// <para>The result (time and Passed) is stored on the status item; Remove-MigratedSource drops a source collection only after a passed verification that is newer than the last completed run. With -WhatIf the verification runs and is reported but nothing is recorded.</para>
    /// </remarks>
    /// <example>
    /// <code>Test-EcommerceMigration -TableName ecommerce-cameroon -MongoUri $env:MONGODB_URI</code>
    /// <para>Checks all four entities against the MongoDB source, 100 sampled documents each.</para>
    /// </example>
    /// <example>
    /// <code>Test-EcommerceMigration ecommerce-cameroon -Entity Product -Path ./dump/shop/products.bson -SampleSize 500 | Select-Object -ExpandProperty Mismatches</code>
    /// <para>Compares 500 random products from the dump file and lists any differences.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "EcommerceMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MigrationVerification))]
    public sealed class TestEcommerceMigrationCommand : VerificationCmdlet
    {
        protected override void ProcessRecord()
        {
            CheckVerificationInput();
            MigrationService engine = new MigrationService();
            foreach (EcommerceEntity entity in Entities) WriteObject(VerifyEntity(engine, entity));
        }
    }
}
