using System.Collections.Generic;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Stack;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes everything a shop stack consists of: CDN, cache cluster, asset bucket and table.</summary>
    /// <remarks>
    /// <para>Looks the stack up first (as Get-EcommerceStack), then deletes, each after its own confirmation (ConfirmImpact High): the CloudFront distribution (disabled, waited for, deleted, with its bucket policy statement and origin access control), the cache cluster, the bucket and the table. -WhatIf prints the full plan, one line per resource, and deletes nothing. A stack of which nothing is found gives a warning saying so (not an error: removing twice is safe).</para>
    /// <para>Data is protected by default: a non-empty bucket and a table with deletion protection are refused unless -Force, which deletes every object version and lifts deletion protection. Run Get-MigrationStatus -Verify and take backups before you use -Force.</para>
    /// <para>Every refusal that can be foreseen (a non-empty bucket or a deletion-protected table without -Force, a cache ElastiCache cannot delete in its current state) is checked for all the resources before the first deletion: then the error StackRemovalRefused lists them all and nothing is deleted. If a deletion still fails on the way (permissions, a service error), the error StackRemovalFailed.&lt;cause&gt; says which resources were deleted and which were not; running the command again deletes what is left. -WhatIf also warns about the refusals.</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-EcommerceStack -Name shop-staging -WhatIf</code>
    /// <para>Lists every resource that would be deleted.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceStack shop-staging | Remove-EcommerceStack -Force -Confirm:$false</code>
    /// <para>Deletes a staging stack with its data, without prompting.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "EcommerceStack", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveEcommerceStackCommand : AwsCmdlet
    {
        /// <summary><para>Stack name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary><para>Table name. Default: the stack name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(TableNameCompleter))] public string TableName { get; set; }

        /// <summary><para>Bucket name. Default: &lt;name&gt;-assets.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(BucketNameCompleter))] public string BucketName { get; set; }

        /// <summary><para>Cache cluster id. Default: &lt;name&gt;-redis.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(CacheClusterIdCompleter))] public string CacheClusterId { get; set; }

        /// <summary><para>Delete data too: empty the versioned bucket and lift the table's deletion protection.</para></summary>
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var names = new StackSpec { Name = Name, TableName = TableName, BucketName = BucketName, CacheClusterId = CacheClusterId };
            CheckInput(() => InputValidation.TableName(names.ResolvedTableName));
            EcommerceStack stack = Run(context => new StackService().DescribeAsync(names, new WarningsAsVerbose(context)));
            if (stack.TableName == null && stack.BucketName == null && stack.DistributionId == null && stack.CacheClusterId == null)
            {
                // Idempotent like a second removal: a warning, not an error, but never silence (with or without -WhatIf).
                WriteWarning($"No stack '{Name}' in {stack.Region ?? "this region"}: no table '{names.ResolvedTableName}', no bucket, CloudFront distribution or cache cluster of that stack was found; nothing to remove. Get-EcommerceTable lists the tables (a stack is named after its table).");
                return;
            }

            // Read-only checks first, so a refusal never comes after a deletion (a half-removed stack).
            IReadOnlyList<string> refusals = Run(context => new StackService().FindRemovalRefusalsAsync(stack, StackParts.All, Force, context));

            StackParts approved = StackParts.None;
            if (stack.DistributionId != null && ShouldProcess($"{stack.DistributionId} ({stack.CdnDomain})", "Disable and delete CloudFront distribution, its bucket policy statement and origin access control"))
                approved |= StackParts.Distribution;
            if (stack.CacheClusterId != null && ShouldProcess(stack.CacheClusterId, "Delete ElastiCache cluster"))
                approved |= StackParts.Cache;
            if (stack.BucketName != null && ShouldProcess(stack.BucketName, Force ? "Delete every object version and the S3 bucket" : "Delete the S3 bucket if it is empty"))
                approved |= StackParts.Bucket;
            if (stack.TableName != null && ShouldProcess(stack.TableName, Force ? "Lift deletion protection and delete DynamoDB table with all its items" : "Delete DynamoDB table (refused while deletion protection is on)"))
                approved |= StackParts.Table;

            if (approved == StackParts.None)
            {
                foreach (string refusal in refusals) WriteWarning($"Removing stack '{Name}' would be refused: {refusal}.");
                return;
            }
            if (approved != StackParts.All)
                refusals = Run(context => new StackService().FindRemovalRefusalsAsync(stack, approved, Force, context));
            if (refusals.Count > 0)
                ThrowTerminatingError(new EcommerceException("StackRemovalRefused", ErrorCategory.InvalidOperation, Name,
                    $"Stack '{Name}' was not removed, and nothing was deleted: {string.Join("; ", refusals)}.",
                    "Resolve each point above (or add -Force where it says so), then run Remove-EcommerceStack again.").ToErrorRecord());
            Run(context => new StackService().RemoveAsync(stack, approved, Force, context));
        }
    }
}
