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
                string p = $"{NamePrefix}{tableName}";
                foreach (string operation in ThrottledOperations)
                    alarms.Add(Alarm($"{p}-dynamodb-throttles-{operation.ToLowerInvariant()}", $"DynamoDB table {tableName}: {operation} requests throttled (Sum >= 1 in 5 min).",
                        "AWS/DynamoDB", "ThrottledRequests", ("TableName", tableName), ("Operation", operation)));
                alarms.Add(Alarm($"{p}-dynamodb-read-throttles", $"DynamoDB table {tableName}: read throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "ReadThrottleEvents", ("TableName", tableName)));
                alarms.Add(Alarm($"{p}-dynamodb-write-throttles", $"DynamoDB table {tableName}: write throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "WriteThrottleEvents", ("TableName", tableName)));
                alarms.Add(Alarm($"{p}-gsi1-read-throttles", $"DynamoDB index GSI1 of {tableName}: read throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "ReadThrottleEvents", ("TableName", tableName), ("GlobalSecondaryIndexName", "GSI1")));
                alarms.Add(Alarm($"{p}-gsi1-write-throttles", $"DynamoDB index GSI1 of {tableName}: write throttle events (Sum >= 1 in 5 min).",
                    "AWS/DynamoDB", "WriteThrottleEvents", ("TableName", tableName), ("GlobalSecondaryIndexName", "GSI1")));
            }
            if (bucketName != null)
            {
                EcommerceAlarmDefinition errors = Alarm($"{NamePrefix}{bucketName}-s3-5xx-errors", $"S3 bucket {bucketName}: server errors (5xxErrors Sum >= 5 in 5 min; SDKs retry occasional ones).",
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
                    AlarmName = $"{NamePrefix}{cacheClusterId}-redis-memory",
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
                        AlarmName = node == cacheClusterId ? $"{NamePrefix}{cacheClusterId}-redis-memory" : $"{NamePrefix}{cacheClusterId}-redis-memory-{node}",
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
                alarms.Add(Alarm($"{NamePrefix}{lambdaFunctionName}-lambda-errors", $"Lambda function {lambdaFunctionName}: errors (Sum >= 1 in 5 min).",
                    "AWS/Lambda", "Errors", ("FunctionName", lambdaFunctionName)));
            return alarms;
        }
    }
}
