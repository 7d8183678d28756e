using System.Collections.Generic;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Shows the migration status of each entity, read from the status items in the target table.</summary>
    /// <remarks>
    /// <para>Reads the status items the migration cmdlets keep in the table (PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS): one row per entity with State (Running, Completed, Failed, Interrupted), SourceCount, Written, Rejected, Checkpoint, StartedAt, FinishedAt, ItemsPerSecond, RunId and the last verification. It needs only the table, so it works from any machine with access to it. Entities never migrated have no row.</para>
    /// <para>A Running state with an old UpdatedAt means the process running it was killed: run the migration again to resume from the checkpoint.</para>
    /// <para>-Verify runs Test-EcommerceMigration for each entity and puts its MigrationVerification in the Verification property; the sample comparison needs -MongoUri or -Path (the source). Like Test-EcommerceMigration it records the result on the status item, which -WhatIf (or $WhatIfPreference) skips.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-MigrationStatus -TableName ecommerce-cameroon</code>
    /// <para>Shows one row per migrated entity.</para>
    /// </example>
    /// <example>
    /// <code>Get-MigrationStatus ecommerce-cameroon -Verify -Path ./dump/shop -SampleSize 50 | Select-Object Entity, State, @{ n = 'Passed'; e = { $_.Verification.Passed } }</code>
    /// <para>Counts every entity's items, compares 50 documents per entity from the dump folder, and shows whether each passed.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MigrationStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MigrationStatusInfo))]
    public sealed class GetMigrationStatusCommand : VerificationCmdlet
    {
        /// <summary><para>Also verify each entity (counts, and a sample when -MongoUri or -Path is given), as Test-EcommerceMigration does.</para></summary>
        [Parameter]
        public SwitchParameter Verify { get; set; }

        protected override void ProcessRecord()
        {
            CheckVerificationInput();
            MigrationService engine = new MigrationService();
            IReadOnlyList<MigrationStatusInfo> rows = Run(context => engine.GetStatusAsync(TableName, Entities, context));
            foreach (MigrationStatusInfo row in rows)
            {
                if (!Verify)
                {
                    WriteObject(row);
                    continue;
                }
                MigrationVerification verification = VerifyEntity(engine, row.Entity);
                MigrationStatusInfo updated = Run(context => engine.GetStatusAsync(TableName, new[] { row.Entity }, context))[0];
                WriteObject(new MigrationStatusInfo
                {
                    TableName = updated.TableName, Entity = updated.Entity, RunId = updated.RunId, State = updated.State, Source = updated.Source,
                    SourceCount = updated.SourceCount, Written = updated.Written, Rejected = updated.Rejected, Checkpoint = updated.Checkpoint,
                    StartedAt = updated.StartedAt, FinishedAt = updated.FinishedAt, UpdatedAt = updated.UpdatedAt, ItemsPerSecond = updated.ItemsPerSecond,
                    RejectPath = updated.RejectPath, Message = updated.Message, LastVerifiedAt = updated.LastVerifiedAt,
                    LastVerificationPassed = updated.LastVerificationPassed, Verification = verification,
                });
            }
        }
    }
}
