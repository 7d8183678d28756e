using EcommerceAws.Contract;
using EcommerceAws.Output;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.CloudWatch
{
    /// <summary>The guide's "Monitoring" bullets as alarms with deterministic names, so re-running converges.</summary>
    internal static class EcommerceAlarmPlan
    {
        public const string BucketMetricsFilterId = "EntireBucket";
        public const string NamePrefix = "ecommerce-";
        private static readonly string[] ThrottledOperations = { "GetItem", "PutItem", "Query" };

        /// <summary>Share of a serverless cache's data storage maximum at which its memory alarm fires (AWS recommends 75%).</summary>
        public const double ServerlessStorageAlarmShare = 0.75;

        /// <summary>
        /// The start of every alarm name of one resource: "ecommerce-" + its name, unless the name already starts with it
        /// (a stack named ecommerce-cameroon gives ecommerce-cameroon-…, not ecommerce-ecommerce-cameroon-…).
        /// </summary>
        public static string Stem(string resource) =>
            resource.StartsWith(NamePrefix, System.StringComparison.OrdinalIgnoreCase) ? resource : NamePrefix + resource;

        /// <summary>
        /// stem-what, without a word said twice where they meet: the cache ecommerce-cameroon-redis gives
        /// ecommerce-cameroon-redis-memory, not …-redis-redis-memory.
        /// </summary>
        public static string Name(string resource, string what)
        {
            string stem = Stem(resource);
            string last = stem.Substring(stem.LastIndexOf('-') + 1);
            return what.StartsWith(last + "-", System.StringComparison.OrdinalIgnoreCase) && last.Length > 0
                ? stem + what.Substring(last.Length)
                : stem + "-" + what;
        }

        /// <summary>The memory alarm of one node of a replication group: its member clusters are named &lt;id&gt;-001, &lt;id&gt;-002, …</summary>
        public static string NodeMemoryName(string cacheClusterId, string node) =>
            Name(cacheClusterId, "redis-memory-" + (node.StartsWith(cacheClusterId + "-", System.StringComparison.Ordinal) ? node.Substring(cacheClusterId.Length + 1) : node));

        /// <summary>
        /// The names versions before 0.x gave the same alarms ("ecommerce-" + resource + "-" + what, words doubled): still found
        /// and removed by resource (Get-/Remove-EcommerceAlarm -TableName …), so an upgrade leaves no alarm behind.
        /// </summary>
        public static IEnumerable<string> LegacyNames(string tableName, string bucketName, string cacheClusterId, string lambdaFunctionName)
        {
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            if (tableName != null)
            {
                foreach (string operation in ThrottledOperations) yield return $"{NamePrefix}{tableName}-dynamodb-throttles-{operation.ToLowerInvariant()}";
                foreach (string what in new[] { "dynamodb-read-throttles", "dynamodb-write-throttles", "gsi1-read-throttles", "gsi1-write-throttles" })
                    yield return $"{NamePrefix}{tableName}-{what}";
            }
            if (bucketName != null) yield return $"{NamePrefix}{bucketName}-s3-5xx-errors";
            if (cacheClusterId != null) yield return $"{NamePrefix}{cacheClusterId}-redis-memory";
            if (lambdaFunctionName != null) yield return $"{NamePrefix}{lambdaFunctionName}-lambda-errors";
        }

        /// <summary>The name prefix of the per-node memory alarms of a replication group, now and in earlier versions.</summary>
        public static IEnumerable<string> NodeMemoryPrefixes(string cacheClusterId)
        {
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            string current = Name(cacheClusterId, "redis-memory-");
            string legacy = $"{NamePrefix}{cacheClusterId}-redis-memory-";
            return current == legacy ? new[] { current } : new[] { current, legacy };
        }

        /// <remarks>
        /// cacheMemberClusters: the node clusters of a replication group. ElastiCache publishes DatabaseMemoryUsagePercentage
        /// per node, so each gets its own memory alarm. Null or empty: one alarm on cacheClusterId (a single node).
        /// serverlessStorageLimitGB: for a serverless cache, which publishes no per-node DatabaseMemoryUsagePercentage, its
        /// data storage maximum. The memory alarm then watches BytesUsedForCache (dimension clusterId) above 75% of it; GB
        /// is read as 10^9 bytes, the smaller reading, so the alarm fires early rather than late.
        /// </remarks>
        public static IReadOnlyList<EcommerceAlarmDefinition> For(string tableName, string bucketName, string cacheClusterId,
            string lambdaFunctionName, string snsTopicArn, IDictionary<string, string> tags, IReadOnlyList<string> cacheMemberClusters = null,
            int? serverlessStorageLimitGB = null)
        {
            cacheClusterId = CacheIds.Normalize(cacheClusterId);
            string[] actions = snsTopicArn == null ? System.Array.Empty<string>() : new[] { snsTopicArn };
            var alarms = new List<EcommerceAlarmDefinition>();
            EcommerceAlarmDefinition Alarm(string name, string description, string ns, string metric, params (string, string)[] dimensions) => new EcommerceAlarmDefinition
            {
                AlarmName = name,
                Description = description,
                Namespace = ns,
                MetricName = metric,
                Dimensions = dimensions.Select(d => new KeyValuePair<string, string>(d.Item1, d.Item2)).ToArray(),
                Threshold = 1,
                Actions = actions,
                Tags = tags,
            };

            if (tableName != null)
            {
                foreach (string operation in ThrottledOperations)
                    alarms.Add(Alarm(Name(tableName, $"dynamodb-throttles-{operation.ToLowerInvariant()}"), $"DynamoDB table {tableName}: {operation} requests throttled (Sum >= 1 in 5 min).",
                        "AWS/DynamoDB", "ThrottledRequests", ("TableName", tableName), ("Operation", operation)));
                alarms.Add(Alarm(Name(tableName, "dynamodb-read-throttles"), $"DynamoDB table {tableName}: read throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "ReadThrottleEvents", ("TableName", tableName)));
                alarms.Add(Alarm(Name(tableName, "dynamodb-write-throttles"), $"DynamoDB table {tableName}: write throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "WriteThrottleEvents", ("TableName", tableName)));
                alarms.Add(Alarm(Name(tableName, "gsi1-read-throttles"), $"DynamoDB index GSI1 of {tableName}: read throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "ReadThrottleEvents", ("TableName", tableName), ("GlobalSecondaryIndexName", "GSI1")));
                alarms.Add(Alarm(Name(tableName, "gsi1-write-throttles"), $"DynamoDB index GSI1 of {tableName}: write throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "WriteThrottleEvents", ("TableName", tableName), ("GlobalSecondaryIndexName", "GSI1")));
            }
            if (bucketName != null)
            {
                EcommerceAlarmDefinition errors = Alarm(Name(bucketName, "s3-5xx-errors"), $"S3 bucket {bucketName}: server errors (5xxErrors Sum >= 5 in 5 min; SDKs retry occasional ones).",
                    "AWS/S3", "5xxErrors", ("BucketName", bucketName), ("FilterId", BucketMetricsFilterId));
                alarms.Add(new EcommerceAlarmDefinition
                {
                    AlarmName = errors.AlarmName, Description = errors.Description, Namespace = errors.Namespace, MetricName = errors.MetricName,
                    Dimensions = errors.Dimensions, Threshold = 5, Actions = actions, Tags = tags,
                    BucketMetricsBucket = bucketName, BucketMetricsFilterId = BucketMetricsFilterId,
                });
            }
            if (cacheClusterId != null && serverlessStorageLimitGB is int limitGB)
            {
                alarms.Add(new EcommerceAlarmDefinition
                {
                    AlarmName = Name(cacheClusterId, "redis-memory"),
                    Description = $"ElastiCache serverless {cacheClusterId}: BytesUsedForCache above {ServerlessStorageAlarmShare:P0} of its {limitGB} GB data storage maximum for 15 minutes.",
                    Namespace = "AWS/ElastiCache",
                    MetricName = "BytesUsedForCache",
                    Dimensions = new[] { new KeyValuePair<string, string>("clusterId", cacheClusterId) },
                    Statistic = "Maximum",
                    Threshold = System.Math.Floor(limitGB * 1e9 * ServerlessStorageAlarmShare),
                    ComparisonOperator = "GreaterThanThreshold",
                    Period = 300,
                    EvaluationPeriods = 3,
                    TreatMissingData = "missing",
                    Actions = actions,
                    Tags = tags,
                });
            }
            else if (cacheClusterId != null)
            {
                bool perNode = cacheMemberClusters != null && cacheMemberClusters.Count > 0
                    && !(cacheMemberClusters.Count == 1 && cacheMemberClusters[0] == cacheClusterId);
                foreach (string node in perNode ? cacheMemberClusters : new[] { cacheClusterId })
                    alarms.Add(new EcommerceAlarmDefinition
                    {
                        AlarmName = node == cacheClusterId ? Name(cacheClusterId, "redis-memory") : NodeMemoryName(cacheClusterId, node),
                        Description = $"ElastiCache {node}: DatabaseMemoryUsagePercentage above 80% for 15 minutes.",
                        Namespace = "AWS/ElastiCache",
                        MetricName = "DatabaseMemoryUsagePercentage",
                        Dimensions = new[] { new KeyValuePair<string, string>("CacheClusterId", node) },
                        Statistic = "Average",
                        Threshold = 80,
                        ComparisonOperator = "GreaterThanThreshold",
                        Period = 300,
                        EvaluationPeriods = 3,
                        TreatMissingData = "missing",
                        Actions = actions,
                        Tags = tags,
                    });
            }
            if (lambdaFunctionName != null)
                alarms.Add(Alarm(Name(lambdaFunctionName, "lambda-errors"), $"Lambda function {lambdaFunctionName}: errors (Sum >= 1 in 5 min).",
                    "AWS/Lambda", "Errors", ("FunctionName", lambdaFunctionName)));
            return alarms;
        }
    }
}
