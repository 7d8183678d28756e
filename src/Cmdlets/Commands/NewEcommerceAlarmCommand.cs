using System.Collections.Generic;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.CloudWatch;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates the guide's CloudWatch alarms for a stack: DynamoDB throttling, S3 server errors, Redis memory and Lambda errors.</summary>
    /// <remarks>
    /// <para>For -TableName: ThrottledRequests for GetItem, PutItem and Query, and ReadThrottleEvents / WriteThrottleEvents on the table and on GSI1, each alarming at Sum &gt;= 1 over 5 minutes. For -BucketName: 5xxErrors (Sum &gt;= 5 over 5 minutes); S3 publishes request metrics only for a bucket metrics configuration, so the command first puts one with id EntireBucket (no filter; request metrics are billed as custom metrics) and alarms on that FilterId. For -CacheClusterId: DatabaseMemoryUsagePercentage &gt; 80% for 15 minutes (3 x 5 min), on each node of a replication group (ElastiCache publishes it per node); a serverless cache publishes no per-node metric, so its alarm watches BytesUsedForCache (dimension clusterId, Maximum) above 75% of the cache's data storage maximum (AWS's recommendation; GB read as 10^9 bytes), and a serverless cache without a maximum gets no memory alarm and a warning saying how to set one. Cache ids are lower-cased, as ElastiCache stores them. For -LambdaFunctionName: Errors Sum &gt;= 1 over 5 minutes.</para>
    /// <para>Alarm names are deterministic (ecommerce-&lt;resource&gt;-&lt;what&gt;, for example ecommerce-shop-dynamodb-read-throttles; a resource already named ecommerce-… is not prefixed again, and no word is said twice: the cache ecommerce-cameroon-redis gives ecommerce-cameroon-redis-memory). Get-EcommerceAlarm and Remove-EcommerceAlarm by resource also find the names earlier versions gave (ecommerce-ecommerce-cameroon-redis-redis-memory), so remove those after upgrading. The SNS topic must be in the alarms' region (SnsTopicArnWrongRegion otherwise: CloudWatch notifies only a topic of its own region). Names are deterministic, and PutMetricAlarm replaces an alarm of the same name, so running the command again converges instead of adding alarms. Missing data counts as not breaching (no traffic is not an incident), except for Redis memory.</para>
    /// <para>-SnsTopicArn notifies the topic when an alarm fires and when it is OK again. Pipe an EcommerceStack object (New-EcommerceStack, Get-EcommerceStack) to bind -TableName, -BucketName and -CacheClusterId by property name.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | New-EcommerceAlarm -SnsTopicArn arn:aws:sns:us-east-1:123456789012:shop-alerts</code>
    /// <para>Creates every alarm for the stack's table, bucket and cache, notifying the ops topic.</para>
    /// </example>
    /// <example>
    /// <code>New-EcommerceAlarm -TableName ecommerce-cameroon -LambdaFunctionName shop-api -WhatIf</code>
    /// <para>Lists the alarms that would be created for the table and the API function, creating nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "EcommerceAlarm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(EcommerceAlarmInfo))]
    public sealed class NewEcommerceAlarmCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>The DynamoDB table to watch for throttling (the table and its GSI1 index).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The S3 asset bucket to watch for server errors (5xxErrors). Request metrics are enabled on it first.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The ElastiCache cache id to watch for memory use: DatabaseMemoryUsagePercentage per node, or BytesUsedForCache against the data storage maximum for a serverless cache. Lower-cased, as ElastiCache stores it.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>A Lambda function (name, not ARN) to watch for errors, when the shop runs one.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string LambdaFunctionName { get; set; }

        /// <summary><para>SNS topic ARN notified when an alarm fires and when it is OK again. Default: no notification.</para></summary>
        [Parameter]
        public string SnsTopicArn { get; set; }

        /// <summary><para>Tags as a hashtable, for example @{ Project = 'shop' }. ManagedBy=EcommerceAws is always added.</para></summary>
        [Parameter]
        public Hashtable Tag { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.AlarmTargets(TableName, BucketName, CacheClusterId, LambdaFunctionName, SnsTopicArn));
            // A replication group's memory metric exists per node, so the plan needs its members; a serverless cache
            // has no per-node metric at all, only BytesUsedForCache against its data storage maximum.
            string cacheId = CacheIds.Normalize(CacheClusterId);
            CacheClusterInfo cache = cacheId == null ? null
                : Run(context => new CacheClusterService().DescribeAsync(cacheId, new WarningsAsVerbose(context)));
            bool serverless = cache?.Mode == CacheMode.Serverless;
            if (serverless && cache.DataStorageLimitGB == null)
            {
                WriteWarning($"Serverless cache '{cacheId}' has no data storage maximum, so no memory alarm can be set: serverless caches publish no DatabaseMemoryUsagePercentage, and BytesUsedForCache needs a limit to compare with. " +
                    $"Set one (aws elasticache modify-serverless-cache --serverless-cache-name {cacheId} --cache-usage-limits 'DataStorage={{Maximum=10,Unit=GB}}') and run New-EcommerceAlarm again.");
                cacheId = null;
            }
            IReadOnlyList<EcommerceAlarmDefinition> plan = EcommerceAlarmService.Plan(TableName, BucketName, cacheId, LambdaFunctionName, SnsTopicArn,
                ManagedTags.With(Tag), cache?.MemberClusters, serverless ? cache.DataStorageLimitGB : null);
            if (plan.Count == 0) return;
            var approved = plan.Where(alarm => ShouldProcess(alarm.AlarmName, Describe(alarm))).ToList();
            if (approved.Count == 0) return;
            foreach (EcommerceAlarmInfo alarm in Run(context => new EcommerceAlarmService().PutAsync(approved, context)))
                WriteObject(alarm);
        }

        #endregion

        private static string Describe(EcommerceAlarmDefinition alarm)
        {
            string what = $"Create CloudWatch alarm on {alarm.Namespace} {alarm.MetricName} ({string.Join(", ", alarm.Dimensions.Select(d => $"{d.Key}={d.Value}"))})";
            return alarm.BucketMetricsBucket == null ? what
                : what + $" after enabling request metrics '{alarm.BucketMetricsFilterId}' on bucket {alarm.BucketMetricsBucket}";
        }
    }
}
