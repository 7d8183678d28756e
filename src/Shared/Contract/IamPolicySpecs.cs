using System.Collections.Generic;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>Which cmdlets a runbook role will run; each maps to the AWS actions those cmdlets call.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum IamPolicyScope
    {
        /// <summary>New/Get/Remove of the table, bucket, CDN, cache cluster and stack; Get-EcommerceEnvironment.</summary>
        Provision,
        /// <summary>Invoke-*Migration, Get/Remove-MigrationStatus, Test-EcommerceMigration, Measure-MigrationCost, product cmdlets, Publish-ProductAsset.</summary>
        Migrate,
        /// <summary>New/Get/Remove-EcommerceAlarm, Clear-AssetCdnCache, Test-EcommerceConnection, and the read-only status: Get-EcommerceStack, Get-MigrationStatus, Remove-EcommerceStack -WhatIf.</summary>
        Operate,
        /// <summary>Invoke-*Migration -Method Import: ImportTable and DescribeImport, the staging prefix in the bucket (objects, lifecycle rule, clean-up), the import's CloudWatch Logs, and finishing the new table (deletion protection, PITR, TTL, tags, status items).</summary>
        Import,
    }

    /// <summary>The named resources a policy is scoped to; null names are covered by a name pattern (and said so).</summary>
    public sealed class IamPolicyTarget
    {
        public string AccountId { get; init; }
        public string Region { get; init; }
        public string StackName { get; init; }
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string DistributionId { get; init; }
        public string CacheClusterId { get; init; }
        public string LambdaFunctionName { get; init; }
        /// <summary>Customer managed KMS key ARNs of the table and the bucket (-KmsKeyId of New-EcommerceTable / New-AssetBucket).</summary>
        public IReadOnlyList<string> KmsKeyArns { get; init; }
    }

}
