using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Tables;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes an EcommerceAws table and waits until it is gone.</summary>
    /// <remarks>
    /// <para>Deleting a table deletes all its items. The command asks for confirmation (ConfirmImpact High) and refuses a table with deletion protection on (error TableDeletionProtected) unless -Force is given, which lifts deletion protection first. Point-in-time recovery backups end with the table; take an on-demand backup first if you may need the data.</para>
    /// <para>A table that does not exist is an error (TableNotFound).</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-EcommerceTable -TableName ecommerce-staging -Force -Confirm:$false</code>
    /// <para>Lifts deletion protection and deletes the table without asking, for a scripted teardown.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceTable 'tmp-*' | Remove-EcommerceTable -Force -WhatIf</code>
    /// <para>Lists which temporary tables would be deleted, deleting nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "EcommerceTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveEcommerceTableCommand : AwsCmdlet
    {
        /// <summary><para>Name of the table to delete.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>Lift deletion protection before deleting. Without it a protected table is not deleted.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para>Return after the delete request instead of waiting until the table is gone.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            string action = Force ? "Lift deletion protection and delete DynamoDB table with all its items" : "Delete DynamoDB table with all its items";
            if (!ShouldProcess(TableName, action)) return;
            Run(context => new TableService().RemoveAsync(TableName, Force, !NoWait, context));
        }
    }
}
