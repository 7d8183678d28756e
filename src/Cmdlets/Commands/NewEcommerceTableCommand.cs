using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Tables;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates the e-commerce single DynamoDB table (PK/SK plus index GSI1), or returns it when it already exists.</summary>
    /// <remarks>
    /// <para>Creates the table of the migration guide's Step 1.1 and Step 3: partition key PK and sort key SK (strings), and the global secondary index GSI1 on GSI1PK/GSI1SK projecting all attributes. Products, users, orders and categories share it (see Invoke-EcommerceMigration).</para>
    /// <para>Safe defaults: on-demand billing (PAY_PER_REQUEST, the guide's own cost advice), point-in-time recovery on, deletion protection on, server-side encryption with KMS (the AWS managed key, or -KmsKeyId), and the tag ManagedBy=EcommerceAws. -BillingMode Provisioned uses -ReadCapacity/-WriteCapacity (default 5/5, as the guide) on the table and the index.</para>
    /// <para>The command waits until the table and its index are ACTIVE, with a progress bar; -NoWait returns at once. DynamoDB often refuses to enable point-in-time recovery for a few minutes after a table is created (ContinuousBackupsUnavailableException): the command waits that out too, retrying with growing pauses (5 s up to 60 s) and progress until PITR is ENABLED, and gives up after 15 minutes with PointInTimeRecoveryTimeout (the table itself is ready; run the command again). With -NoWait it warns instead and the next run enables PITR. It is idempotent: a table that already exists with the expected keys and index is returned (AlreadyExisted = True) and its point-in-time recovery and time to live are reconciled; a table with a different schema stops the command with the error TableSchemaMismatch.</para>
    /// <para>Input is checked before any AWS call: InvalidTableName, InvalidCapacity, CapacityWithOnDemand.</para>
    /// </remarks>
    /// <example>
    /// <code>New-EcommerceTable -TableName ecommerce-cameroon -Region af-south-1</code>
    /// <para>Creates the on-demand table in Cape Town, the region nearest to Cameroon, and waits until it is ACTIVE.</para>
    /// </example>
    /// <example>
    /// <code>New-EcommerceTable ecommerce-cameroon -BillingMode Provisioned -ReadCapacity 5 -WriteCapacity 5 -Tag @{ Project = 'shop' } -WhatIf</code>
    /// <para>Shows what would be created with the guide's provisioned 5/5 capacity, without creating anything.</para>
    /// </example>
    /// <example>
    /// <code>'shop-staging', 'shop-prod' | ForEach-Object { [pscustomobject]@{ TableName = $_ } } | New-EcommerceTable -NoWait</code>
    /// <para>Creates two tables from the pipeline (binding by property name) without waiting for them.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "EcommerceTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(EcommerceTableInfo))]
    public sealed class NewEcommerceTableCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>Name of the table: 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>PayPerRequest (default; on-demand, no capacity planning) or Provisioned (uses -ReadCapacity and -WriteCapacity).</para></summary>
        [Parameter]
        public BillingMode BillingMode { get; set; } = BillingMode.PayPerRequest;

        /// <summary><para>Read capacity units for the table and GSI1 with -BillingMode Provisioned. Default 5. At least 1.</para></summary>
        [Parameter]
        public long ReadCapacity { get; set; }

        /// <summary><para>Write capacity units for the table and GSI1 with -BillingMode Provisioned. Default 5. At least 1. One unit writes one 1 KB item per second.</para></summary>
        [Parameter]
        public long WriteCapacity { get; set; }

        /// <summary><para>A customer managed KMS key (id, ARN or alias) for server-side encryption. Default: the AWS managed key aws/dynamodb.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string KmsKeyId { get; set; }

        /// <summary><para>An attribute holding an expiry time (epoch seconds) for DynamoDB time to live, for example expiresAt. Default: none.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimeToLiveAttribute { get; set; }

        /// <summary><para>Tags as a hashtable, for example @{ Project = 'shop'; Owner = 'ops' }. ManagedBy=EcommerceAws is always added.</para></summary>
        [Parameter]
        public Hashtable Tag { get; set; }

        /// <summary><para>Return right after the create request instead of waiting for the table to be ACTIVE. Run the command again later to finish enabling point-in-time recovery.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            ValidateInput();
            var spec = new TableSpec
            {
                TableName = TableName,
                BillingMode = BillingMode,
                ReadCapacity = ReadCapacity > 0 ? ReadCapacity : 5,
                WriteCapacity = WriteCapacity > 0 ? WriteCapacity : 5,
                KmsKeyId = KmsKeyId,
                TimeToLiveAttribute = TimeToLiveAttribute,
                Tags = ManagedTags.With(Tag),
                Wait = !NoWait,
            };
            string what = BillingMode == BillingMode.Provisioned
                ? $"Create DynamoDB table (provisioned {spec.ReadCapacity} RCU / {spec.WriteCapacity} WCU, GSI1, PITR, deletion protection)"
                : "Create DynamoDB table (on-demand, GSI1, PITR, deletion protection)";
            if (!ShouldProcess(TableName, what)) return;
            WriteObject(Run(context => new TableService().CreateAsync(spec, context)));
        }

        #endregion

        private void ValidateInput()
        {
            CheckInput(() => InputValidation.TableName(TableName));

            bool capacityGiven = MyInvocation.BoundParameters.ContainsKey(nameof(ReadCapacity)) || MyInvocation.BoundParameters.ContainsKey(nameof(WriteCapacity));
            if (capacityGiven && BillingMode == BillingMode.PayPerRequest)
                ThrowInputError("CapacityWithOnDemand", BillingMode,
                    "-ReadCapacity and -WriteCapacity apply only to provisioned tables; this table is on-demand (PayPerRequest).",
                    "Add -BillingMode Provisioned, or leave out the capacities.");
            foreach (var (name, value) in new[] { (nameof(ReadCapacity), ReadCapacity), (nameof(WriteCapacity), WriteCapacity) })
                if (MyInvocation.BoundParameters.ContainsKey(name) && value < 1)
                    ThrowInputError("InvalidCapacity", value, $"-{name} must be at least 1; it was {value}.", $"Pass -{name} 1 or more.");
        }
    }
}
