using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.CloudWatch;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes the stack's CloudWatch alarms (and, by resource, the S3 request-metrics configuration the 5xx alarm needed).</summary>
    /// <remarks>
    /// <para>By name: -AlarmName (wildcards allowed; pipe Get-EcommerceAlarm or New-EcommerceAlarm output). By resource: -TableName, -BucketName, -CacheClusterId, -LambdaFunctionName or a piped EcommerceStack delete the alarms New-EcommerceAlarm creates for them; with -BucketName the bucket's EntireBucket metrics configuration is deleted too, since request metrics are billed.</para>
    /// <para>The command asks for confirmation for each alarm (ConfirmImpact High). Alarms that do not exist are skipped: running it twice is safe.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Remove-EcommerceAlarm -Confirm:$false</code>
    /// <para>Deletes every alarm of the stack and switches off the bucket's request metrics.</para>
    /// </example>
    /// <example>
    /// <code>Remove-EcommerceAlarm -AlarmName 'ecommerce-shop-gsi1-*' -WhatIf</code>
    /// <para>Shows which GSI1 alarms would be deleted, deleting nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "EcommerceAlarm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByResourceSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveEcommerceAlarmCommand : AwsCmdlet
    {
        private const string ByNameSet = ParameterSets.ByAlarmName;
        private const string ByResourceSet = ParameterSets.ByResource;

        /// <summary><para>Alarm names to delete; wildcards are allowed.</para></summary>
        [Parameter(ParameterSetName = ByNameSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(AlarmNameCompleter))]
        public string[] AlarmName { get; set; }

        /// <summary><para>The DynamoDB table whose throttling alarms to delete.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The S3 bucket whose 5xx alarm and EntireBucket request-metrics configuration to delete.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The ElastiCache cluster id whose memory alarm to delete.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>The Lambda function whose errors alarm to delete.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        public string LambdaFunctionName { get; set; }

        protected override void ProcessRecord()
        {
            List<string> names;
            string[] metricsBuckets = null;
            if (ParameterSetName == ByResourceSet)
            {
                CheckInput(() => InputValidation.AlarmTargets(TableName, BucketName, CacheClusterId, LambdaFunctionName, null));
                names = EcommerceAlarmService.Plan(TableName, BucketName, CacheClusterId, LambdaFunctionName, null, null).Select(a => a.AlarmName)
                    .Concat(Run(context => new EcommerceAlarmService().GetForResourcesAsync(TableName, BucketName, CacheClusterId, LambdaFunctionName, context))
                        .Select(a => a.AlarmName))
                    .Distinct().ToList();
                if (BucketName != null && ShouldProcess(BucketName, $"Delete S3 request-metrics configuration '{EcommerceAlarmService.BucketMetricsFilterId}'"))
                    metricsBuckets = new[] { BucketName };
            }
            else
            {
                // Exact names are deleted as given (DeleteAlarms ignores a name that does not exist: removing twice is safe);
                // wildcards expand to the alarms that exist, so -WhatIf and -Confirm name each one.
                names = AlarmName.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)).ToList();
                string[] wildcards = AlarmName.Where(WildcardPattern.ContainsWildcardCharacters).ToArray();
                if (wildcards.Length > 0)
                    names.AddRange(Run(context => new EcommerceAlarmService().FindAsync(wildcards, context)).Found.Select(a => a.AlarmName));
            }
            var approved = names.Distinct().Where(n => ShouldProcess(n, "Delete CloudWatch alarm")).ToList();
            if (approved.Count == 0 && metricsBuckets == null) return;
            Run(context => new EcommerceAlarmService().RemoveAsync(approved, metricsBuckets, context));
        }
    }
}
