using System.Management.Automation;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.CloudWatch
{
    /// <summary>Puts, reads and deletes the stack's CloudWatch alarms; enables S3 request metrics for the 5xx alarm.</summary>
    public sealed class EcommerceAlarmService
    {
        private const int DescribeBatch = 100; // DescribeAlarms accepts at most 100 names per call

        public async Task<IReadOnlyList<EcommerceAlarmInfo>> PutAsync(IReadOnlyList<EcommerceAlarmDefinition> alarms, IOperationContext context)
        {
            CheckActionPartition(alarms, context);
            foreach (var metrics in alarms.Where(a => a.BucketMetricsBucket != null).Select(a => (a.BucketMetricsBucket, a.BucketMetricsFilterId)).Distinct())
                await EnableBucketMetrics(metrics.BucketMetricsBucket, metrics.BucketMetricsFilterId, context).ConfigureAwait(false);

            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            int done = 0;
            foreach (EcommerceAlarmDefinition alarm in alarms)
            {
                context.WriteProgress(new ProgressUpdate
                {
                    Activity = "Creating CloudWatch alarms", Status = alarm.AlarmName,
                    PercentComplete = alarms.Count == 0 ? 100 : done * 100 / alarms.Count,
                });
                context.WriteVerbose($"Putting alarm '{alarm.AlarmName}' ({alarm.Namespace} {alarm.MetricName} {alarm.Statistic} {Operator(alarm.ComparisonOperator)} {alarm.Threshold.ToString(CultureInfo.InvariantCulture)}).");
                await SignedCall.Run(() => cloudWatch.PutMetricAlarmAsync(ToRequest(alarm), context.Cancellation), "PutMetricAlarm", alarm.AlarmName).ConfigureAwait(false);
                done++;
            }
            context.WriteProgress(new ProgressUpdate { Activity = "Creating CloudWatch alarms", Completed = true });
            var byName = (await Describe(cloudWatch, alarms.Select(a => a.AlarmName).ToList(), null, context).ConfigureAwait(false))
                .ToDictionary(a => a.AlarmName);
            return alarms.Where(a => byName.ContainsKey(a.AlarmName)).Select(a => byName[a.AlarmName]).ToList();
        }

        /// <summary>An alarm action (SNS topic) from another partition or region can never be reached: refused before anything is written.</summary>
        private static void CheckActionPartition(IReadOnlyList<EcommerceAlarmDefinition> alarms, IOperationContext context)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            AwsPartition partition = AwsPartition.Of(region);
            foreach (string action in alarms.SelectMany(a => a.Actions).Distinct())
            {
                string[] parts = action.Split(':');
                if (parts.Length > 1 && parts[0] == "arn" && parts[1] != partition.Name)
                    throw new EcommerceException("SnsTopicArnWrongPartition", System.Management.Automation.ErrorCategory.InvalidArgument, action,
                        $"The alarm action '{action}' is in the {parts[1]} partition, but the alarms go to {region} ({partition.Name}); CloudWatch cannot notify across partitions. Nothing was written.",
                        $"Pass an SNS topic of {region}, for example {partition.Arn("sns", region, "123456789012", "shop-alerts")}.");
                // CloudWatch refuses an action in another region ("ValidationError: Invalid region X specified. Only Y is supported").
                if (parts.Length > 3 && parts[0] == "arn" && parts[2] == "sns" && parts[3] != region)
                    throw new EcommerceException("SnsTopicArnWrongRegion", System.Management.Automation.ErrorCategory.InvalidArgument, action,
                        $"The SNS topic '{action}' is in {parts[3]}, but the alarms go to {region}; CloudWatch only notifies a topic of the alarm's own region. Nothing was written.",
                        $"Create a topic in {region} (aws sns create-topic --name shop-alerts --region {region}) and pass its ARN, or create the alarms in {parts[3]} with -Region {parts[3]}. An SNS topic can deliver to subscribers in other regions.");
            }
        }

        /// <summary>Every alarm New-EcommerceAlarm manages is named with this prefix.</summary>
        public const string NamePrefix = EcommerceAlarmPlan.NamePrefix;

        /// <summary>The S3 request-metrics configuration id the bucket 5xx alarm needs.</summary>
        public const string BucketMetricsFilterId = EcommerceAlarmPlan.BucketMetricsFilterId;

        /// <summary>What <see cref="FindAsync"/> found, and the exact names it did not.</summary>
        public sealed record AlarmLookup(IReadOnlyList<EcommerceAlarmInfo> Found, IReadOnlyList<string> Missing);

        /// <summary>The alarms for these resources, with deterministic names (see EcommerceAlarmPlan.For); no AWS call.</summary>
        public static IReadOnlyList<EcommerceAlarmDefinition> Plan(string tableName, string bucketName, string cacheClusterId,
            string lambdaFunctionName, string snsTopicArn, IDictionary<string, string> tags, IReadOnlyList<string> cacheMemberClusters = null,
            int? serverlessStorageLimitGB = null) =>
            EcommerceAlarmPlan.For(tableName, bucketName, cacheClusterId, lambdaFunctionName, snsTopicArn, tags, cacheMemberClusters, serverlessStorageLimitGB);

        /// <summary>
        /// The alarms named by <paramref name="patterns"/> (exact names and PowerShell wildcards, case-insensitive), each
        /// once, and the exact names that do not exist. DescribeAlarms filters by prefix only: a wildcard asks for its
        /// literal prefix and matches the rest here. Get-EcommerceAlarm and Remove-EcommerceAlarm both expand names here.
        /// </summary>
        public async Task<AlarmLookup> FindAsync(IReadOnlyList<string> patterns, IOperationContext context)
        {
            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            var found = new List<EcommerceAlarmInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var exact = patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)).Distinct(StringComparer.Ordinal).ToList();
            var missing = new List<string>();
            if (exact.Count > 0)
            {
                IReadOnlyList<EcommerceAlarmInfo> named = await Describe(cloudWatch, exact, null, context).ConfigureAwait(false);
                found.AddRange(named.Where(a => seen.Add(a.AlarmName)));
                missing.AddRange(exact.Where(n => named.All(a => a.AlarmName != n)));
            }
            foreach (string pattern in patterns.Where(WildcardPattern.ContainsWildcardCharacters))
            {
                string prefix = pattern.Substring(0, pattern.IndexOfAny(new[] { '*', '?', '[' }));
                var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                foreach (EcommerceAlarmInfo alarm in await Describe(cloudWatch, null, prefix.Length > 0 ? prefix : null, context).ConfigureAwait(false))
                    if (wildcard.IsMatch(alarm.AlarmName) && seen.Add(alarm.AlarmName)) found.Add(alarm);
            }
            return new AlarmLookup(found, missing);
        }

        public async Task<IReadOnlyList<EcommerceAlarmInfo>> GetAsync(IReadOnlyList<string> names, string prefix, IOperationContext context)
        {
            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            return await Describe(cloudWatch, names, prefix, context).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<EcommerceAlarmInfo>> GetForResourcesAsync(string tableName, string bucketName, string cacheClusterId,
            string lambdaFunctionName, IOperationContext context)
        {
            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            // Today's names and those of earlier versions (EcommerceAlarmPlan.LegacyNames), so an upgrade orphans no alarm.
            List<string> names = EcommerceAlarmPlan.For(tableName, bucketName, cacheClusterId, lambdaFunctionName, null, null)
                .Select(a => a.AlarmName).Concat(EcommerceAlarmPlan.LegacyNames(tableName, bucketName, cacheClusterId, lambdaFunctionName))
                .Distinct(StringComparer.Ordinal).ToList();
            var found = new List<EcommerceAlarmInfo>(await Describe(cloudWatch, names, null, context).ConfigureAwait(false));
            if (cacheClusterId != null)
            {
                // A replication group has one memory alarm per node: "<stem>-redis-memory-<node>".
                foreach (string nodePrefix in EcommerceAlarmPlan.NodeMemoryPrefixes(cacheClusterId))
                    found.AddRange((await Describe(cloudWatch, null, nodePrefix, context).ConfigureAwait(false))
                        .Where(a => found.All(f => f.AlarmName != a.AlarmName)));
            }
            return found;
        }

        /// <summary>Alarm names (at most <paramref name="limit"/>) with their state, for argument completion.</summary>
        public async Task<IReadOnlyList<NamedResource>> ListAlarmNamesAsync(string prefix, int limit, IOperationContext context)
        {
            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            var found = new List<NamedResource>();
            var request = new DescribeAlarmsRequest { AlarmNamePrefix = string.IsNullOrEmpty(prefix) ? null : prefix };
            do
            {
                DescribeAlarmsResponse page = await SignedCall.Run(() => cloudWatch.DescribeAlarmsAsync(request, context.Cancellation), "DescribeAlarms", prefix)
                    .ConfigureAwait(false);
                found.AddRange(page.MetricAlarms.Select(a => new NamedResource(a.AlarmName, $"{a.AlarmName} ({a.StateValue})")));
                request.NextToken = page.NextToken;
            } while (!string.IsNullOrEmpty(request.NextToken) && found.Count < limit);
            return found;
        }

        public async Task RemoveAsync(IReadOnlyList<string> alarmNames, IReadOnlyList<string> metricsBuckets, IOperationContext context)
        {
            using var cloudWatch = new AmazonCloudWatchClient(context.Aws);
            // DeleteAlarms takes up to 100 names and ignores names that do not exist.
            foreach (string[] batch in alarmNames.Chunk(DescribeBatch))
            {
                context.WriteVerbose($"Deleting alarms {string.Join(", ", batch)}.");
                await SignedCall.Run(() => cloudWatch.DeleteAlarmsAsync(new DeleteAlarmsRequest { AlarmNames = batch.ToList() }, context.Cancellation),
                    "DeleteAlarms", batch[0]).ConfigureAwait(false);
            }
            if (metricsBuckets == null) return;
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            foreach (string bucket in metricsBuckets)
            {
                // Request metrics are billed per metric: switch them off with the alarm that needed them. Look first and
                // delete only a configuration that is there (moto treats DELETE ?metrics as DeleteBucket).
                GetBucketMetricsConfigurationResponse current = await SignedCall.Run(() => s3.GetBucketMetricsConfigurationAsync(new GetBucketMetricsConfigurationRequest
                {
                    BucketName = bucket,
                    MetricsId = EcommerceAlarmPlan.BucketMetricsFilterId,
                }, context.Cancellation), "GetBucketMetricsConfiguration", bucket, "NoSuchConfiguration", "NoSuchBucket").ConfigureAwait(false);
                if (current?.MetricsConfiguration?.MetricsId != EcommerceAlarmPlan.BucketMetricsFilterId)
                {
                    context.WriteVerbose($"Bucket '{bucket}' has no request-metrics configuration '{EcommerceAlarmPlan.BucketMetricsFilterId}'; nothing to delete.");
                    continue;
                }
                context.WriteVerbose($"Deleting request-metrics configuration '{EcommerceAlarmPlan.BucketMetricsFilterId}' of bucket '{bucket}'.");
                await SignedCall.Run(() => s3.DeleteBucketMetricsConfigurationAsync(new DeleteBucketMetricsConfigurationRequest
                {
                    BucketName = bucket,
                    MetricsId = EcommerceAlarmPlan.BucketMetricsFilterId,
                }, context.Cancellation), "DeleteBucketMetricsConfiguration", bucket, "NoSuchConfiguration", "NoSuchBucket").ConfigureAwait(false);
            }
        }

        private static async Task EnableBucketMetrics(string bucket, string filterId, IOperationContext context)
        {
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            // PutBucketMetricsConfiguration is an upsert; a configuration without a filter covers every object.
            context.WriteVerbose($"Enabling S3 request metrics on bucket '{bucket}' (metrics configuration '{filterId}', whole bucket; billed as custom metrics).");
            await SignedCall.Run(() => s3.PutBucketMetricsConfigurationAsync(new PutBucketMetricsConfigurationRequest
            {
                BucketName = bucket,
                MetricsId = filterId,
                MetricsConfiguration = new MetricsConfiguration { MetricsId = filterId },
            }, context.Cancellation), "PutBucketMetricsConfiguration", bucket).ConfigureAwait(false);
        }

        private static async Task<IReadOnlyList<EcommerceAlarmInfo>> Describe(AmazonCloudWatchClient cloudWatch, IReadOnlyList<string> names, string prefix, IOperationContext context)
        {
            var found = new List<EcommerceAlarmInfo>();
            IEnumerable<DescribeAlarmsRequest> requests = names != null
                ? names.Distinct().Chunk(DescribeBatch).Select(batch => new DescribeAlarmsRequest { AlarmNames = batch.ToList() })
                : new[] { new DescribeAlarmsRequest { AlarmNamePrefix = prefix } };
            foreach (DescribeAlarmsRequest request in requests)
            {
                do
                {
                    DescribeAlarmsResponse page = await SignedCall.Run(() => cloudWatch.DescribeAlarmsAsync(request, context.Cancellation),
                        "DescribeAlarms", prefix ?? request.AlarmNames?.FirstOrDefault()).ConfigureAwait(false);
                    found.AddRange(page.MetricAlarms.Select(ToInfo));
                    request.NextToken = page.NextToken;
                } while (!string.IsNullOrEmpty(request.NextToken));
            }
            return found;
        }

        private static PutMetricAlarmRequest ToRequest(EcommerceAlarmDefinition alarm) => new PutMetricAlarmRequest
        {
            AlarmName = alarm.AlarmName,
            AlarmDescription = alarm.Description,
            ActionsEnabled = true,
            AlarmActions = alarm.Actions.ToList(),
            OKActions = alarm.Actions.ToList(),
            Namespace = alarm.Namespace,
            MetricName = alarm.MetricName,
            Dimensions = alarm.Dimensions.Select(d => new Dimension { Name = d.Key, Value = d.Value }).ToList(),
            Statistic = alarm.Statistic,
            Period = alarm.Period,
            EvaluationPeriods = alarm.EvaluationPeriods,
            Threshold = alarm.Threshold,
            ComparisonOperator = alarm.ComparisonOperator,
            TreatMissingData = alarm.TreatMissingData,
            Tags = alarm.Tags?.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
        };

        private static EcommerceAlarmInfo ToInfo(MetricAlarm alarm) => new EcommerceAlarmInfo
        {
            AlarmName = alarm.AlarmName,
            Arn = alarm.AlarmArn,
            Namespace = alarm.Namespace,
            MetricName = alarm.MetricName,
            Dimensions = string.Join(", ", (alarm.Dimensions ?? new List<Dimension>()).Select(d => $"{d.Name}={d.Value}")),
            Statistic = alarm.Statistic,
            Threshold = alarm.Threshold ?? 0,
            ComparisonOperator = alarm.ComparisonOperator,
            Period = alarm.Period ?? 0,
            EvaluationPeriods = alarm.EvaluationPeriods ?? 0,
            State = alarm.StateValue,
            StateReason = alarm.StateReason,
            Actions = (alarm.AlarmActions ?? new List<string>()).ToArray(),
            Description = alarm.AlarmDescription,
        };

        private static string Operator(string comparison) => comparison switch
        {
            "GreaterThanOrEqualToThreshold" => ">=",
            "GreaterThanThreshold" => ">",
            "LessThanThreshold" => "<",
            "LessThanOrEqualToThreshold" => "<=",
            _ => comparison,
        };
    }
}
