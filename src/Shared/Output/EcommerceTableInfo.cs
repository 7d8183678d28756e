using System;

namespace EcommerceAws.Output
{
    /// <summary>The single DynamoDB table of an EcommerceAws stack. Binds by property name (-TableName) into later cmdlets.</summary>
    public sealed class EcommerceTableInfo
    {
        public string TableName { get; init; }
        public string Arn { get; init; }
        public string Status { get; init; }
        public string BillingMode { get; init; }
        public long ReadCapacity { get; init; }
        public long WriteCapacity { get; init; }
        public long ItemCount { get; init; }
        public long SizeBytes { get; init; }
        public string[] IndexNames { get; init; } = Array.Empty<string>();
        public bool PointInTimeRecovery { get; init; }
        public bool DeletionProtection { get; init; }
        /// <summary>SSE status: KMS key in use (AWS managed or the given key), or AWS_OWNED.</summary>
        public string Encryption { get; init; }
        public string TimeToLiveAttribute { get; init; }
        public string Region { get; init; }
        public DateTime? CreatedAt { get; init; }
        /// <summary>True when New-EcommerceTable found the table already there and returned it.</summary>
        public bool AlreadyExisted { get; init; }
    }
}
