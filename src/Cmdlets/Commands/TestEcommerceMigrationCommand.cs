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
    /// <para>With -Full every source document is re-mapped and compared with its item (BatchGetItem, 100 at a time), and the entity's items are counted, so missing items, items no document accounts for (including a sync's tombstones left behind) and different items are all found: Missing, Extra and Different count them, Passed needs all three at 0. Documents the rules reject (and users whose e-mail another user holds) must have no item. The module's own _syncVersion attribute is not compared.</para>
    /// </remarks>
    /// <example>
    /// <code>Test-EcommerceMigration -TableName ecommerce-cameroon -MongoUri $env:MONGODB_URI -Full | Format-Table Entity, Passed, Missing, Extra, Different</code>
    /// <para>The gate before a cut-over: compares every document of the four collections with its item.</para>
    /// </example>
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
        /// <summary><para>Compare every source document with its item and count the items no document accounts for (deleted documents, tombstones left behind), instead of a sample: the gate before a cut-over. Streams the source 100 documents at a time (memory stays flat); the result's Missing, Extra and Different count each kind, and Mismatches lists the first 1,000. Needs -MongoUri or -Path.</para></summary>
        [Parameter]
        public SwitchParameter Full { get; set; }

        protected override bool CompareAll => Full;

        protected override void ProcessRecord()
        {
            CheckVerificationInput();
            if (Full && MongoUri == null && Path == null)
                ThrowInputError("VerificationNeedsSource", TableName, "-Full compares every source document with its item: it needs the source.", "Pass -MongoUri (or -Path) with -Full.");
            MigrationService engine = new MigrationService();
            foreach (EcommerceEntity entity in Entities) WriteObject(VerifyEntity(engine, entity));
        }
    }
}
