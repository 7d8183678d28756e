using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>One CloudWatch metric alarm to put, in plain values (planned by the engine's EcommerceAlarmService.Plan).</summary>
    public sealed class EcommerceAlarmDefinition
    {
        public string AlarmName { get; init; }
        public string Description { get; init; }
        public string Namespace { get; init; }
        public string MetricName { get; init; }
        /// <summary>Ordered name/value pairs.</summary>
        public KeyValuePair<string, string>[] Dimensions { get; init; } = System.Array.Empty<KeyValuePair<string, string>>();
        public string Statistic { get; init; } = "Sum";
        public double Threshold { get; init; }
        public string ComparisonOperator { get; init; } = "GreaterThanOrEqualToThreshold";
        public int Period { get; init; } = 300;
        public int EvaluationPeriods { get; init; } = 1;
        public string TreatMissingData { get; init; } = "notBreaching";
        /// <summary>SNS topics notified on ALARM and on OK again.</summary>
        public string[] Actions { get; init; } = System.Array.Empty<string>();
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        /// <summary>S3 request metrics need a bucket metrics configuration: its bucket and id (null for other alarms).</summary>
        public string BucketMetricsBucket { get; init; }
        public string BucketMetricsFilterId { get; init; }
    }
}
