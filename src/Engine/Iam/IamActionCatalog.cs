using System.Collections.Generic;
using System.Linq;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.SecurityToken;
using EcommerceAws.Contract;
using EcommerceAws.Engine.CloudFront;
using EcommerceAws.Engine.CloudWatch;
using EcommerceAws.Engine.ElastiCache;
using static EcommerceAws.Contract.IamPolicyScope;

namespace EcommerceAws.Engine.Iam
{
    /// <summary>What an IAM action is scoped to; <see cref="IamPolicyService"/> turns each kind into ARNs.</summary>
    internal enum IamResourceKind
    {
        Table,
        /// <summary>The table's migration status items only (condition dynamodb:LeadingKeys = MIGRATION#*).</summary>
        StatusItems,
        Bucket,
        Objects,
        Distribution,
        NewDistribution,
        OriginAccessControl,
        Cache,
        CacheDefaults,
        ServiceLinkedRole,
        Alarm,
        /// <summary>The table's ImportTable jobs (table/&lt;t&gt;/import/*) and the table itself, for DescribeImport.</summary>
        TableImports,
        /// <summary>The CloudWatch Logs groups ImportTable writes its errors to (log-group:/aws-dynamodb/*).</summary>
        ImportLogs,
        /// <summary>Resource "*": the action has no resource-level permission, or its resource has no name yet.</summary>
        Any,
    }

    /// <summary>One IAM action on one kind of resource.</summary>
    internal readonly record struct IamGrant(string Action, IamResourceKind Kind);

    /// <summary>One client method the engine calls, the scopes whose cmdlets call it, and the IAM actions it needs.</summary>
    internal sealed record IamOperation(string Client, string Method, IamPolicyScope[] Scopes, IamGrant[] Grants);

    /// <summary>
    /// THE catalog of every AWS client method the engine calls (SDK and hand-written clients) and the IAM actions
    /// each needs. tests/Pester/IamPolicy.Tests.ps1 scans src/Engine for calls and fails when one is missing here.
    /// IAM names differ from SDK method names in places (S3 above all); see the Service Authorization Reference.
    /// </summary>
    internal static class IamActionCatalog
    {
        private static readonly IamPolicyScope[] P = { Provision }, M = { Migrate }, O = { Operate };
        // Reads behind Get-EcommerceStack and Remove-EcommerceStack -WhatIf: Provision builds with them, Operate reports.
        private static readonly IamPolicyScope[] PO = { Provision, Operate };
        // Import (Invoke-*Migration -Method Import) creates the table with ImportTable, finishes it as New-EcommerceTable does
        // (deletion protection, PITR, TTL, tags), writes the status items and manages its staging prefix in the bucket. A scope
        // of its own, so that Migrate (the write path) keeps creating and deleting nothing.
        private static readonly IamPolicyScope[] I = { Import }, PI = { Provision, Import }, MI = { Migrate, Import }, POI = { Provision, Operate, Import };

        public static readonly IReadOnlyList<IamOperation> Operations = new[]
        {
            // DynamoDB: the single table and its GSI1 (table/<t>/index/*).
            Ddb(nameof(IAmazonDynamoDB.CreateTableAsync), P, "dynamodb:CreateTable", "dynamodb:TagResource"), // tags are sent with the create
            Ddb(nameof(IAmazonDynamoDB.DescribeTableAsync), new[] { Provision, Migrate, Operate, Import }, "dynamodb:DescribeTable"),
            Ddb(nameof(IAmazonDynamoDB.UpdateTableAsync), PI, "dynamodb:UpdateTable"),
            Ddb(nameof(IAmazonDynamoDB.DeleteTableAsync), P, "dynamodb:DeleteTable"),
            Ddb(nameof(IAmazonDynamoDB.DescribeContinuousBackupsAsync), POI, "dynamodb:DescribeContinuousBackups"),
            Ddb(nameof(IAmazonDynamoDB.UpdateContinuousBackupsAsync), PI, "dynamodb:UpdateContinuousBackups"),
            Ddb(nameof(IAmazonDynamoDB.DescribeTimeToLiveAsync), POI, "dynamodb:DescribeTimeToLive"),
            Ddb(nameof(IAmazonDynamoDB.UpdateTimeToLiveAsync), PI, "dynamodb:UpdateTimeToLive"),
            Op<IAmazonDynamoDB>(nameof(IAmazonDynamoDB.ListTablesAsync), P, Any("dynamodb:ListTables")),
            Ddb(nameof(IAmazonDynamoDB.BatchWriteItemAsync), M, "dynamodb:BatchWriteItem"),
            Ddb(nameof(IAmazonDynamoDB.BatchGetItemAsync), M, "dynamodb:BatchGetItem"),
            Ddb(nameof(IAmazonDynamoDB.GetItemAsync), MI, "dynamodb:GetItem"),
            // Get-MigrationStatus for Operate: the status items only (PK MIGRATION#<ENTITY>), never the shop's data.
            Op<IAmazonDynamoDB>(nameof(IAmazonDynamoDB.GetItemAsync), O, new IamGrant("dynamodb:GetItem", IamResourceKind.StatusItems)),
            Ddb(nameof(IAmazonDynamoDB.PutItemAsync), MI, "dynamodb:PutItem"),
            Ddb(nameof(IAmazonDynamoDB.UpdateItemAsync), M, "dynamodb:UpdateItem"),
            Ddb(nameof(IAmazonDynamoDB.DeleteItemAsync), M, "dynamodb:DeleteItem"),
            Ddb(nameof(IAmazonDynamoDB.QueryAsync), M, "dynamodb:Query"),
            Ddb(nameof(IAmazonDynamoDB.ScanAsync), M, "dynamodb:Scan"),
            // -Method Import. ImportTable reads the staged objects and writes its errors to CloudWatch Logs with the
            // caller's permissions (developer guide, "Requesting a table import": the example policy's S3 and logs actions).
            Op<IAmazonDynamoDB>(nameof(IAmazonDynamoDB.ImportTableAsync), I,
                new IamGrant("dynamodb:ImportTable", IamResourceKind.Table),
                new IamGrant("s3:GetObject", IamResourceKind.Objects), new IamGrant("s3:ListBucket", IamResourceKind.Bucket),
                new IamGrant("logs:CreateLogGroup", IamResourceKind.ImportLogs), new IamGrant("logs:CreateLogStream", IamResourceKind.ImportLogs),
                new IamGrant("logs:DescribeLogGroups", IamResourceKind.ImportLogs), new IamGrant("logs:DescribeLogStreams", IamResourceKind.ImportLogs),
                new IamGrant("logs:PutLogEvents", IamResourceKind.ImportLogs), new IamGrant("logs:PutRetentionPolicy", IamResourceKind.ImportLogs)),
            Op<IAmazonDynamoDB>(nameof(IAmazonDynamoDB.DescribeImportAsync), I, new IamGrant("dynamodb:DescribeImport", IamResourceKind.TableImports)),
            // The imported table gets the ManagedBy tag afterwards (ImportTable takes no tags).
            Ddb(nameof(IAmazonDynamoDB.TagResourceAsync), I, "dynamodb:TagResource"),

            // S3: the asset bucket (bucket-level actions) and its objects (bucket/*).
            S3(nameof(IAmazonS3.PutBucketAsync), P, "s3:CreateBucket"),
            S3(nameof(IAmazonS3.DeleteBucketAsync), P, "s3:DeleteBucket"),
            Op<IAmazonS3>(nameof(IAmazonS3.ListBucketsAsync), PO, Any("s3:ListAllMyBuckets")),
            S3(nameof(IAmazonS3.GetBucketLocationAsync), new[] { Provision, Migrate, Operate, Import }, "s3:GetBucketLocation"),
            S3(nameof(IAmazonS3.ListVersionsAsync), PI, "s3:ListBucketVersions"),
            // Publish-ProductAsset lists the images already there; -Method Import lists its staging prefix; Operate's connection test.
            S3(nameof(IAmazonS3.ListObjectsV2Async), new[] { Migrate, Operate, Import }, "s3:ListBucket"),
            Op<IAmazonS3>(nameof(IAmazonS3.DeleteObjectsAsync), PI,
                new IamGrant("s3:DeleteObject", IamResourceKind.Objects), new IamGrant("s3:DeleteObjectVersion", IamResourceKind.Objects)),
            S3(nameof(IAmazonS3.PutBucketOwnershipControlsAsync), P, "s3:PutBucketOwnershipControls"),
            S3(nameof(IAmazonS3.PutPublicAccessBlockAsync), P, "s3:PutBucketPublicAccessBlock"),
            S3(nameof(IAmazonS3.GetPublicAccessBlockAsync), PO, "s3:GetBucketPublicAccessBlock"),
            S3(nameof(IAmazonS3.PutBucketEncryptionAsync), P, "s3:PutEncryptionConfiguration"),
            S3(nameof(IAmazonS3.GetBucketEncryptionAsync), POI, "s3:GetEncryptionConfiguration"),
            S3(nameof(IAmazonS3.PutBucketVersioningAsync), P, "s3:PutBucketVersioning"),
            S3(nameof(IAmazonS3.GetBucketVersioningAsync), PO, "s3:GetBucketVersioning"),
            S3(nameof(IAmazonS3.PutBucketTaggingAsync), P, "s3:PutBucketTagging"),
            S3(nameof(IAmazonS3.GetBucketTaggingAsync), P, "s3:GetBucketTagging"),
            S3(nameof(IAmazonS3.PutCORSConfigurationAsync), P, "s3:PutBucketCORS"),
            S3(nameof(IAmazonS3.PutLifecycleConfigurationAsync), PI, "s3:PutLifecycleConfiguration"),
            S3(nameof(IAmazonS3.GetLifecycleConfigurationAsync), PI, "s3:GetLifecycleConfiguration"),
            S3(nameof(IAmazonS3.PutBucketPolicyAsync), P, "s3:PutBucketPolicy"),
            S3(nameof(IAmazonS3.GetBucketPolicyAsync), PO, "s3:GetBucketPolicy"),
            S3(nameof(IAmazonS3.DeleteBucketPolicyAsync), P, "s3:DeleteBucketPolicy"),
            S3(nameof(IAmazonS3.PutBucketMetricsConfigurationAsync), O, "s3:PutMetricsConfiguration"),
            S3(nameof(IAmazonS3.GetBucketMetricsConfigurationAsync), O, "s3:GetMetricsConfiguration"),
            S3(nameof(IAmazonS3.DeleteBucketMetricsConfigurationAsync), O, "s3:PutMetricsConfiguration"), // IAM has no separate delete action
            Op<IAmazonS3>(nameof(IAmazonS3.PutObjectAsync), MI, new IamGrant("s3:PutObject", IamResourceKind.Objects)),
            // -Method Import reads its staging manifest back (the write path reads no object).
            Op<IAmazonS3>(nameof(IAmazonS3.GetObjectAsync), I, new IamGrant("s3:GetObject", IamResourceKind.Objects)),
            // Publish-ProductAsset: images over 8 MB go up in parts (IAM has no separate actions for the parts but the abort).
            Op<IAmazonS3>(nameof(IAmazonS3.InitiateMultipartUploadAsync), M, new IamGrant("s3:PutObject", IamResourceKind.Objects)),
            Op<IAmazonS3>(nameof(IAmazonS3.UploadPartAsync), M, new IamGrant("s3:PutObject", IamResourceKind.Objects)),
            Op<IAmazonS3>(nameof(IAmazonS3.CompleteMultipartUploadAsync), M, new IamGrant("s3:PutObject", IamResourceKind.Objects)),
            Op<IAmazonS3>(nameof(IAmazonS3.AbortMultipartUploadAsync), M, new IamGrant("s3:AbortMultipartUpload", IamResourceKind.Objects)),

            // STS: the account id for the bucket policy's CloudFront condition and for ARNs.
            Op<IAmazonSecurityTokenService>(nameof(IAmazonSecurityTokenService.GetCallerIdentityAsync), new[] { Provision, Operate }, Any("sts:GetCallerIdentity")),

            // CloudFront (hand-written client).
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.CreateOriginAccessControlAsync), P, Any("cloudfront:CreateOriginAccessControl")),
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.ListOriginAccessControlsAsync), PO, Any("cloudfront:ListOriginAccessControls")),
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.GetOriginAccessControlAsync), P, new IamGrant("cloudfront:GetOriginAccessControl", IamResourceKind.OriginAccessControl)),
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.DeleteOriginAccessControlAsync), P, new IamGrant("cloudfront:DeleteOriginAccessControl", IamResourceKind.OriginAccessControl)),
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.CreateDistributionWithTagsAsync), P,
                Any("cloudfront:CreateDistribution"), new IamGrant("cloudfront:TagResource", IamResourceKind.NewDistribution)),
            Op<ICloudFrontClient>(nameof(ICloudFrontClient.ListDistributionsAsync), PO, Any("cloudfront:ListDistributions")),
            Cdn(nameof(ICloudFrontClient.GetDistributionAsync), new[] { Provision, Operate }, "cloudfront:GetDistribution"),
            Cdn(nameof(ICloudFrontClient.GetDistributionConfigAsync), P, "cloudfront:GetDistributionConfig"),
            Cdn(nameof(ICloudFrontClient.UpdateDistributionAsync), P, "cloudfront:UpdateDistribution"),
            Cdn(nameof(ICloudFrontClient.DeleteDistributionAsync), P, "cloudfront:DeleteDistribution"),
            Cdn(nameof(ICloudFrontClient.CreateInvalidationAsync), O, "cloudfront:CreateInvalidation"),
            Cdn(nameof(ICloudFrontClient.GetInvalidationAsync), O, "cloudfront:GetInvalidation"),

            // ElastiCache (hand-written client): a node cluster, a replication group or a serverless cache of one id.
            CacheCreate(nameof(IAmazonElastiCache.CreateCacheClusterAsync), "elasticache:CreateCacheCluster"),
            CacheCreate(nameof(IAmazonElastiCache.CreateReplicationGroupAsync), "elasticache:CreateReplicationGroup"),
            CacheCreate(nameof(IAmazonElastiCache.CreateServerlessCacheAsync), "elasticache:CreateServerlessCache", namesGroups: false),
            // Describe*: also Operate (New-EcommerceAlarm finds the cache's nodes; Get-EcommerceStack reports the cache).
            Cache(nameof(IAmazonElastiCache.DescribeCacheClustersAsync), PO, "elasticache:DescribeCacheClusters"),
            Cache(nameof(IAmazonElastiCache.DescribeReplicationGroupsAsync), PO, "elasticache:DescribeReplicationGroups"),
            Cache(nameof(IAmazonElastiCache.DescribeServerlessCachesAsync), PO, "elasticache:DescribeServerlessCaches"),
            Cache(nameof(IAmazonElastiCache.DeleteCacheClusterAsync), P, "elasticache:DeleteCacheCluster"),
            Cache(nameof(IAmazonElastiCache.DeleteReplicationGroupAsync), P, "elasticache:DeleteReplicationGroup"),
            Cache(nameof(IAmazonElastiCache.DeleteServerlessCacheAsync), P, "elasticache:DeleteServerlessCache"),

            // CloudWatch (hand-written client): alarms named ecommerce-<resource>-*.
            Op<IAmazonCloudWatch>(nameof(IAmazonCloudWatch.PutMetricAlarmAsync), O,
                new IamGrant("cloudwatch:PutMetricAlarm", IamResourceKind.Alarm), new IamGrant("cloudwatch:TagResource", IamResourceKind.Alarm)),
            Op<IAmazonCloudWatch>(nameof(IAmazonCloudWatch.DescribeAlarmsAsync), O, Any("cloudwatch:DescribeAlarms")),
            Op<IAmazonCloudWatch>(nameof(IAmazonCloudWatch.DeleteAlarmsAsync), O, new IamGrant("cloudwatch:DeleteAlarms", IamResourceKind.Alarm)),
        };

        /// <summary>Why each action on Resource "*" cannot be scoped further.</summary>
        public static readonly IReadOnlyDictionary<string, string> WildcardReasons = new Dictionary<string, string>
        {
            ["dynamodb:ListTables"] = "Lists every table of the account and region (Get-EcommerceTable without a name); IAM has no resource-level permission for it.",
            ["s3:ListAllMyBuckets"] = "ListBuckets (checking the bucket is this account's) covers the whole account; IAM has no resource-level permission for it.",
            ["sts:GetCallerIdentity"] = "Has no resource (and AWS allows it to every identity); the account id goes into the bucket policy and the ARNs.",
            ["cloudfront:CreateOriginAccessControl"] = "The origin access control's id is assigned by CloudFront when it is created, so no ARN exists to scope to.",
            ["cloudfront:ListOriginAccessControls"] = "A list call (finding the bucket's origin access control by name); IAM has no resource-level permission for it.",
            ["cloudfront:CreateDistribution"] = "The distribution's id is assigned by CloudFront when it is created, so no ARN exists to scope to.",
            ["cloudfront:ListDistributions"] = "A list call (finding the distribution whose origin is the bucket); IAM has no resource-level permission for it.",
            ["cloudwatch:DescribeAlarms"] = "Get/Remove-EcommerceAlarm list alarms by name prefix; AWS documents DescribeAlarms as needing Resource \"*\" to see every alarm type.",
        };

        /// <summary>Whether the operation exists in the partition: no CloudFront in GovCloud, no origin access control in China.</summary>
        public static bool IsAvailable(IamOperation operation, Aws.AwsPartition partition)
        {
            if (operation.Client != nameof(ICloudFrontClient)) return true;
            if (partition.CloudFront == null) return false;
            return partition.HasOriginAccessControl || !CreatesWithOriginAccessControl.Contains(operation.Method);
        }

        private static readonly HashSet<string> CreatesWithOriginAccessControl = new HashSet<string>
        {
            nameof(ICloudFrontClient.CreateOriginAccessControlAsync), nameof(ICloudFrontClient.ListOriginAccessControlsAsync),
            nameof(ICloudFrontClient.GetOriginAccessControlAsync), nameof(ICloudFrontClient.DeleteOriginAccessControlAsync),
            nameof(ICloudFrontClient.CreateDistributionWithTagsAsync),
        };

        private static IamOperation Op<TClient>(string method, IamPolicyScope[] scopes, params IamGrant[] grants) =>
            new IamOperation(typeof(TClient).Name, method, scopes, grants);

        private static IamGrant Any(string action) => new IamGrant(action, IamResourceKind.Any);

        private static IamOperation Ddb(string method, IamPolicyScope[] scopes, params string[] actions) =>
            Op<IAmazonDynamoDB>(method, scopes, actions.Select(a => new IamGrant(a, IamResourceKind.Table)).ToArray());

        private static IamOperation S3(string method, IamPolicyScope[] scopes, string action) =>
            Op<IAmazonS3>(method, scopes, new IamGrant(action, IamResourceKind.Bucket));

        private static IamOperation Cdn(string method, IamPolicyScope[] scopes, string action) =>
            Op<ICloudFrontClient>(method, scopes, new IamGrant(action, IamResourceKind.Distribution));

        private static IamOperation Cache(string method, IamPolicyScope[] scopes, string action) =>
            Op<IAmazonElastiCache>(method, scopes, new IamGrant(action, IamResourceKind.Cache));

        // A node-based create names the default parameter and subnet groups too; every create tags the cache and
        // creates ElastiCache's service-linked role on first use.
        private static IamOperation CacheCreate(string method, string action, bool namesGroups = true)
        {
            var grants = new List<IamGrant> { new IamGrant(action, IamResourceKind.Cache) };
            if (namesGroups) grants.Add(new IamGrant(action, IamResourceKind.CacheDefaults));
            grants.Add(new IamGrant("elasticache:AddTagsToResource", IamResourceKind.Cache));
            grants.Add(new IamGrant("iam:CreateServiceLinkedRole", IamResourceKind.ServiceLinkedRole));
            return Op<IAmazonElastiCache>(method, P, grants.ToArray());
        }
    }
}
