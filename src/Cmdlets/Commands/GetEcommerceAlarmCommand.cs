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
    /// <summary>Gets the stack's CloudWatch alarms with their metric, threshold, state and actions.</summary>
    /// <remarks>
    /// <para>By name: -AlarmName accepts wildcards; without it every alarm whose name starts with ecommerce- is returned. A name without wildcards that does not exist is a non-terminating error (AlarmNotFound).</para>
    /// <para>By resource: -TableName, -BucketName, -CacheClusterId and -LambdaFunctionName (or a piped EcommerceStack) return the alarms New-EcommerceAlarm creates for them; those not created yet are left out.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceAlarm | Where-Object State -eq 'ALARM'</code>
    /// <para>Lists the shop's alarms that are firing now.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Get-EcommerceAlarm | Format-Table AlarmName, State, Actions</code>
    /// <para>Shows the alarms of one stack and whom they notify.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceAlarm", DefaultParameterSetName = ByNameSet)]
    [OutputType(typeof(EcommerceAlarmInfo))]
    public sealed class GetEcommerceAlarmCommand : AwsCmdlet
    {
        private const string ByNameSet = ParameterSets.ByAlarmName;
        private const string ByResourceSet = ParameterSets.ByResource;

        /// <summary><para>Alarm names; wildcards are allowed. Default: every alarm named ecommerce-*.</para></summary>
        [Parameter(ParameterSetName = ByNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(AlarmNameCompleter))]
        public string[] AlarmName { get; set; }

        /// <summary><para>The DynamoDB table whose throttling alarms to get.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The S3 bucket whose 5xx alarm to get.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The ElastiCache cluster id whose memory alarm to get.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>The Lambda function whose errors alarm to get.</para></summary>
        [Parameter(ParameterSetName = ByResourceSet, ValueFromPipelineByPropertyName = true)]
        public string LambdaFunctionName { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByResourceSet)
            {
                CheckInput(() => InputValidation.AlarmTargets(TableName, BucketName, CacheClusterId, LambdaFunctionName, null));
                foreach (EcommerceAlarmInfo alarm in Run(context => new EcommerceAlarmService().GetForResourcesAsync(TableName, BucketName, CacheClusterId, LambdaFunctionName, context)))
                    WriteObject(alarm);
                return;
            }

            string[] patterns = AlarmName ?? new[] { EcommerceAlarmService.NamePrefix + "*" };
            EcommerceAlarmService.AlarmLookup lookup = Run(context => new EcommerceAlarmService().FindAsync(patterns, context));
            foreach (EcommerceAlarmInfo alarm in lookup.Found) WriteObject(alarm);
            foreach (string missing in lookup.Missing)
                WriteError(new EcommerceException("AlarmNotFound", ErrorCategory.ObjectNotFound, missing,
                    $"CloudWatch alarm '{missing}' does not exist in this account and region.", "Check -AlarmName and -Region (Get-EcommerceAlarm lists ecommerce-* alarms).").ToErrorRecord());
        }
    }
}
