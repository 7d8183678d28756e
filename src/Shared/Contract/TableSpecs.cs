using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum BillingMode { PayPerRequest, Provisioned }

    /// <summary>What New-EcommerceTable asks for.</summary>
    public sealed class TableSpec
    {
        public string TableName { get; init; }
        public BillingMode BillingMode { get; init; } = BillingMode.PayPerRequest;
        public long ReadCapacity { get; init; } = 5;
        public long WriteCapacity { get; init; } = 5;
        public string KmsKeyId { get; init; }
        public string TimeToLiveAttribute { get; init; }
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public bool Wait { get; init; } = true;
    }

}
