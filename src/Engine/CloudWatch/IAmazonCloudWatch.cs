using System;
using System.Threading;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.CloudWatch
{
    /// <summary>The subset of AWSSDK.CloudWatch's IAmazonCloudWatch this module calls (same names and shapes).</summary>
    internal interface IAmazonCloudWatch : IDisposable
    {
        Task<PutMetricAlarmResponse> PutMetricAlarmAsync(PutMetricAlarmRequest request, CancellationToken cancellationToken = default);
        Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default);
        Task<DeleteAlarmsResponse> DeleteAlarmsAsync(DeleteAlarmsRequest request, CancellationToken cancellationToken = default);
    }
}
