using System;
using System.Collections.Generic;

// Request/response shapes named and shaped like AWSSDK.CloudWatch's (Amazon.CloudWatch.Model), limited to the
// members this module uses, so the real package can replace this folder by changing a using.
namespace EcommerceAws.Engine.CloudWatch
{
    internal sealed class Dimension
    {
        public string Name { get; set; }
        public string Value { get; set; }
    }

    internal sealed class Tag
    {
        public string Key { get; set; }
        public string Value { get; set; }
    }

    internal sealed class MetricAlarm
    {
        public string AlarmName { get; set; }
        public string AlarmArn { get; set; }
        public string AlarmDescription { get; set; }
        public bool? ActionsEnabled { get; set; }
        public List<string> OKActions { get; set; }
        public List<string> AlarmActions { get; set; }
        public List<string> InsufficientDataActions { get; set; }
        public string StateValue { get; set; }
        public string StateReason { get; set; }
        public DateTime? StateUpdatedTimestamp { get; set; }
        public string MetricName { get; set; }
        public string Namespace { get; set; }
        public string Statistic { get; set; }
        public List<Dimension> Dimensions { get; set; }
        public int? Period { get; set; }
        public int? EvaluationPeriods { get; set; }
        public int? DatapointsToAlarm { get; set; }
        public double? Threshold { get; set; }
        public string ComparisonOperator { get; set; }
        public string TreatMissingData { get; set; }
    }

    internal sealed class PutMetricAlarmRequest
    {
        public string AlarmName { get; set; }
        public string AlarmDescription { get; set; }
        public bool? ActionsEnabled { get; set; }
        public List<string> OKActions { get; set; }
        public List<string> AlarmActions { get; set; }
        public List<string> InsufficientDataActions { get; set; }
        public string MetricName { get; set; }
        public string Namespace { get; set; }
        public string Statistic { get; set; }
        public List<Dimension> Dimensions { get; set; }
        public int? Period { get; set; }
        public string Unit { get; set; }
        public int? EvaluationPeriods { get; set; }
        public int? DatapointsToAlarm { get; set; }
        public double? Threshold { get; set; }
        public string ComparisonOperator { get; set; }
        public string TreatMissingData { get; set; }
        public List<Tag> Tags { get; set; }
    }

    internal sealed class PutMetricAlarmResponse { }

    internal sealed class DescribeAlarmsRequest
    {
        public List<string> AlarmNames { get; set; }
        public string AlarmNamePrefix { get; set; }
        public string StateValue { get; set; }
        public int? MaxRecords { get; set; }
        public string NextToken { get; set; }
    }

    internal sealed class DescribeAlarmsResponse
    {
        public List<MetricAlarm> MetricAlarms { get; set; } = new List<MetricAlarm>();
        public string NextToken { get; set; }
    }

    internal sealed class DeleteAlarmsRequest
    {
        public List<string> AlarmNames { get; set; }
    }

    internal sealed class DeleteAlarmsResponse { }
}
