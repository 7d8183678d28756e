using System;

namespace EcommerceAws.Output
{
    /// <summary>A CloudWatch metric alarm of an EcommerceAws stack. Binds by property name (-AlarmName) into Get/Remove-EcommerceAlarm.</summary>
    public sealed class EcommerceAlarmInfo
    {
        public string AlarmName { get; init; }
        public string Arn { get; init; }
        public string Namespace { get; init; }
        public string MetricName { get; init; }
        /// <summary>The metric's dimensions as text, e.g. "TableName=shop, GlobalSecondaryIndexName=GSI1".</summary>
        public string Dimensions { get; init; }
        public string Statistic { get; init; }
        public double Threshold { get; init; }
        public string ComparisonOperator { get; init; }
        public int Period { get; init; }
        public int EvaluationPeriods { get; init; }
        /// <summary>OK, ALARM or INSUFFICIENT_DATA.</summary>
        public string State { get; init; }
        public string StateReason { get; init; }
        /// <summary>Alarm actions (SNS topic ARNs).</summary>
        public string[] Actions { get; init; } = Array.Empty<string>();
        public string Description { get; init; }
    }
}
