using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes the migration status items (checkpoints) of entities from the target table.</summary>
    /// <remarks>
    /// <para>Deletes the items PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS. The migrated items stay. The next migration of that entity starts from the first document (as -Restart does) and Remove-MigratedSource refuses until it is migrated and verified again.</para>
    /// <para>A status item that a running migration holds (its lease has not expired) is not deleted: you get a non-terminating MigrationAlreadyRunning error naming the run, its host and PID and when its lease expires. -Force deletes it anyway (only when you know that run is dead and cannot wait for the lease to expire).</para>
    /// <para>ConfirmImpact is High: PowerShell asks before deleting unless -Confirm:$false. -WhatIf shows what would be deleted.</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-MigrationStatus -TableName ecommerce-cameroon -Entity Order -Confirm:$false</code>
    /// <para>Forgets the order migration's checkpoint without asking.</para>
    /// </example>
    /// <example>
    /// <code>Remove-MigrationStatus ecommerce-cameroon -WhatIf</code>
    /// <para>Shows which status items would be deleted.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "MigrationStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveMigrationStatusCommand : AwsCmdlet
    {
        /// <summary><para>The single table holding the status items. Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>Entities whose status to delete. Default: all four. Binds by property name from Get-MigrationStatus rows. The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EntityNameTransformation]
        public EcommerceEntity[] Entity { get; set; }

        /// <summary><para>Delete status items even while a migration run holds them (its lease is live). A run still alive then fails with MigrationLeaseLost at its next status update.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            var chosen = new System.Collections.Generic.List<EcommerceEntity>();
            foreach (EcommerceEntity entity in Entity == null || Entity.Length == 0 ? System.Enum.GetValues<EcommerceEntity>() : Entity)
                if (ShouldProcess($"{MigrationService.StatusItemKey(entity)} in table {TableName}", "Delete the migration status item")) chosen.Add(entity);
            if (chosen.Count == 0) return;
            var removed = Run(context => new MigrationService().RemoveStatusAsync(TableName, chosen, Force, context));
            foreach (EcommerceEntity entity in chosen)
                WriteVerbose(removed.Contains(entity) ? $"Deleted the {entity} migration status." : $"{entity} migration status not deleted (none, or held by a running migration).");
        }
    }
}
