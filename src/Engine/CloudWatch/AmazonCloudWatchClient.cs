using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.CloudWatch
{
    /// <summary>
    /// CloudWatch alarms over the Query protocol (Version 2010-08-01) on the shared signed transport: signing name
    /// <c>monitoring</c>, endpoint override AWS_ENDPOINT_URL_CLOUDWATCH. Errors surface as AmazonServiceException.
    /// </summary>
    internal sealed class AmazonCloudWatchClient : IAmazonCloudWatch
    {
        public const string ApiVersion = "2010-08-01";
        private readonly QueryProtocolClient query;

        public AmazonCloudWatchClient(AwsOptions options)
            : this(new SignedServiceClient(options, "monitoring", "CLOUDWATCH", region => AwsPartition.Of(region).Endpoint("monitoring", region.SystemName)))
        {
        }

        public AmazonCloudWatchClient(SignedServiceClient transport) => query = new QueryProtocolClient(transport, ApiVersion);

        public SignedServiceClient Transport => query.Transport;

        public async Task<PutMetricAlarmResponse> PutMetricAlarmAsync(PutMetricAlarmRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .Add("AlarmName", request.AlarmName)
                .Add("AlarmDescription", request.AlarmDescription)
                .Add("ActionsEnabled", request.ActionsEnabled)
                .AddList("OKActions", "member", request.OKActions)
                .AddList("AlarmActions", "member", request.AlarmActions)
                .AddList("InsufficientDataActions", "member", request.InsufficientDataActions)
                .Add("MetricName", request.MetricName)
                .Add("Namespace", request.Namespace)
                .Add("Statistic", request.Statistic)
                .AddList("Dimensions", "member", request.Dimensions, d => new[]
                {
                    new KeyValuePair<string, string>("Name", d.Name),
                    new KeyValuePair<string, string>("Value", d.Value),
                })
                .Add("Period", request.Period)
                .Add("Unit", request.Unit)
                .Add("EvaluationPeriods", request.EvaluationPeriods)
                .Add("DatapointsToAlarm", request.DatapointsToAlarm)
                .Add("Threshold", request.Threshold)
                .Add("ComparisonOperator", request.ComparisonOperator)
                .Add("TreatMissingData", request.TreatMissingData)
                .AddList("Tags", "member", request.Tags, t => new[]
                {
                    new KeyValuePair<string, string>("Key", t.Key),
                    new KeyValuePair<string, string>("Value", t.Value),
                });
            await query.InvokeAsync("PutMetricAlarm", fields, cancellationToken).ConfigureAwait(false);
            return new PutMetricAlarmResponse();
        }

        public async Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default)
        {
            var fields = new QueryParameters()
                .AddList("AlarmNames", "member", request.AlarmNames)
                .Add("AlarmNamePrefix", request.AlarmNamePrefix)
                .Add("StateValue", request.StateValue)
                .Add("MaxRecords", request.MaxRecords)
                .Add("NextToken", request.NextToken);
            XElement result = await query.InvokeAsync("DescribeAlarms", fields, cancellationToken).ConfigureAwait(false);
            return new DescribeAlarmsResponse
            {
                MetricAlarms = result.Items("MetricAlarms").Select(ReadAlarm).ToList(),
                NextToken = result.Text("NextToken"),
            };
        }

        public async Task<DeleteAlarmsResponse> DeleteAlarmsAsync(DeleteAlarmsRequest request, CancellationToken cancellationToken = default)
        {
            await query.InvokeAsync("DeleteAlarms", new QueryParameters().AddList("AlarmNames", "member", request.AlarmNames), cancellationToken).ConfigureAwait(false);
            return new DeleteAlarmsResponse();
        }

        public void Dispose() => query.Dispose();

        private static MetricAlarm ReadAlarm(XElement e) => new MetricAlarm
        {
            AlarmName = e.Text("AlarmName"),
            AlarmArn = e.Text("AlarmArn"),
            AlarmDescription = e.Text("AlarmDescription"),
            ActionsEnabled = bool.TryParse(e.Text("ActionsEnabled"), out bool enabled) ? enabled : null,
            OKActions = e.Items("OKActions").Select(a => a.Value).ToList(),
            AlarmActions = e.Items("AlarmActions").Select(a => a.Value).ToList(),
            InsufficientDataActions = e.Items("InsufficientDataActions").Select(a => a.Value).ToList(),
            StateValue = e.Text("StateValue"),
            StateReason = e.Text("StateReason"),
            StateUpdatedTimestamp = DateTime.TryParse(e.Text("StateUpdatedTimestamp"), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime updated) ? updated : null,
            MetricName = e.Text("MetricName"),
            Namespace = e.Text("Namespace"),
            Statistic = e.Text("Statistic"),
            Dimensions = e.Items("Dimensions").Select(d => new Dimension { Name = d.Text("Name"), Value = d.Text("Value") }).ToList(),
            Period = ReadInt(e.Text("Period")),
            EvaluationPeriods = ReadInt(e.Text("EvaluationPeriods")),
            DatapointsToAlarm = ReadInt(e.Text("DatapointsToAlarm")),
            Threshold = double.TryParse(e.Text("Threshold"), NumberStyles.Float, CultureInfo.InvariantCulture, out double threshold) ? threshold : null,
            ComparisonOperator = e.Text("ComparisonOperator"),
            TreatMissingData = e.Text("TreatMissingData"),
        };

        private static int? ReadInt(string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
    }
}
