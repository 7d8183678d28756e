using EcommerceAws.Engine.CloudWatch;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Iam
{
    /// <summary>
    /// Builds the least-privilege policy for the chosen scopes from <see cref="IamActionCatalog"/>: one statement per
    /// kind of resource, scoped to the stack's names; "*" only for the catalog's documented wildcard actions.
    /// </summary>
    public sealed class IamPolicyService
    {
        /// <summary>IAM's limit for a managed policy, whitespace not counted.</summary>
        private const int ManagedPolicyLimit = 6144;

        public EcommerceIamPolicy Build(IamPolicyTarget target, IReadOnlyCollection<IamPolicyScope> scopes)
        {
            if (target?.AccountId == null || target.Region == null) throw new ArgumentException("The account id and the region are required.", nameof(target));
            IamPolicyScope[] chosen = (scopes?.Count > 0 ? scopes : Enum.GetValues<IamPolicyScope>()).Distinct().OrderBy(s => s).ToArray();
            AwsPartition partition = AwsPartition.Of(target.Region);
            IamOperation[] operations = IamActionCatalog.Operations
                .Where(o => o.Scopes.Intersect(chosen).Any() && IamActionCatalog.IsAvailable(o, partition)).ToArray();
            var names = new ResolvedNames(target);

            var statements = operations
                .SelectMany(o => o.Grants)
                .GroupBy(g => g.Kind)
                .OrderBy(g => g.Key)
                .Select(g => new IamPolicyStatement
                {
                    Sid = Sid(g.Key),
                    Actions = g.Select(x => x.Action).Distinct().OrderBy(a => a, StringComparer.Ordinal).ToArray(),
                    Resources = names.Resources(g.Key),
                    Conditions = names.Conditions(g.Key),
                })
                .ToList();
            // Get-MigrationStatus's GetItem on the status items is redundant next to Migrate's GetItem on the whole table.
            IamPolicyStatement table = statements.FirstOrDefault(x => x.Sid == Sid(IamResourceKind.Table));
            IamPolicyStatement status = statements.FirstOrDefault(x => x.Sid == Sid(IamResourceKind.StatusItems));
            if (table != null && status != null && status.Actions.All(table.Actions.Contains)) statements.Remove(status);
            IamPolicyStatement kms = names.KmsStatement(chosen);
            if (kms != null) statements.Add(kms);

            IamWildcardAction[] wildcards = statements.Where(s => s.Resources.SequenceEqual(new[] { "*" }))
                .SelectMany(s => s.Actions)
                .Select(a => new IamWildcardAction { Action = a, Reason = IamActionCatalog.WildcardReasons.TryGetValue(a, out string why) ? why : "(undocumented)" })
                .ToArray();

            string json = ToJson(statements, indented: true);
            var notes = new List<string>(names.Notes(operations.SelectMany(o => o.Grants).Select(g => g.Kind).ToHashSet()));
            if (partition.CloudFront == null)
                notes.Add($"No CloudFront statements: CloudFront is not available in the {partition.Name} partition (the CDN cmdlets refuse to run there).");
            else if (!partition.HasOriginAccessControl)
                notes.Add($"No origin access control or CreateDistribution statements: CloudFront in the {partition.Name} partition has no origin access control, so New-AssetCdn refuses to run there; Get-AssetCdn, Clear-AssetCdnCache and Remove-AssetCdn are covered.");
            if (kms != null)
                notes.Add("KMS: the key policy of each customer managed key must also allow this role (or delegate to IAM with the account root statement); New-AssetCdn prints the statement CloudFront needs to read SSE-KMS objects.");
            if (operations.Any(o => o.Method == nameof(ElastiCache.IAmazonElastiCache.CreateServerlessCacheAsync)))
                notes.Add("New-CacheCluster -Mode Serverless: ElastiCache creates VPC endpoints in your subnets on the caller's behalf; add ec2:CreateVpcEndpoint, ec2:DescribeSubnets, ec2:DescribeSecurityGroups and ec2:DescribeVpcs (see the AmazonElastiCacheFullAccess managed policy) if the role creates serverless caches.");
            int size = ToJson(statements, indented: false).Length;
            if (size > ManagedPolicyLimit)
                notes.Add($"The policy is {size} characters without whitespace, over IAM's {ManagedPolicyLimit} limit for a managed policy: create one policy per -Scope instead.");

            return new EcommerceIamPolicy
            {
                Scope = chosen.Select(s => s.ToString()).ToArray(),
                AccountId = target.AccountId,
                Region = target.Region,
                TableName = names.Table,
                BucketName = names.Bucket,
                DistributionId = target.DistributionId,
                CacheClusterId = names.Cache,
                Partition = names.Partition.Name,
                KmsKeyArn = names.KmsKeys,
                Json = json,
                Statements = statements.ToArray(),
                WildcardActions = wildcards,
                Operations = operations.Select(o => new IamOperationGrant
                {
                    Client = o.Client,
                    Method = o.Method,
                    Actions = o.Grants.Select(g => g.Action).Distinct().ToArray(),
                    Scopes = o.Scopes.Where(chosen.Contains).Select(s => s.ToString()).ToArray(),
                    ResourceKinds = o.Grants.Select(g => g.Kind.ToString()).Distinct().ToArray(),
                }).ToArray(),
                Notes = notes.ToArray(),
            };
        }

        private static string Sid(IamResourceKind kind) => kind switch
        {
            IamResourceKind.Table => "DynamoDbTableAndIndexes",
            IamResourceKind.StatusItems => "DynamoDbMigrationStatusItems",
            IamResourceKind.Bucket => "S3AssetBucket",
            IamResourceKind.Objects => "S3AssetObjects",
            IamResourceKind.Distribution => "CloudFrontDistribution",
            IamResourceKind.NewDistribution => "CloudFrontTagNewDistribution",
            IamResourceKind.OriginAccessControl => "CloudFrontOriginAccessControls",
            IamResourceKind.Cache => "ElastiCacheCache",
            IamResourceKind.CacheDefaults => "ElastiCacheDefaultGroups",
            IamResourceKind.ServiceLinkedRole => "ElastiCacheServiceLinkedRole",
            IamResourceKind.Alarm => "CloudWatchAlarms",
            IamResourceKind.TableImports => "DynamoDbTableImports",
            IamResourceKind.ImportLogs => "CloudWatchLogsImportErrors",
            IamResourceKind.Any => "NoResourceLevelPermissions",
            _ => kind.ToString(),
        };

        internal static string ToJson(IEnumerable<IamPolicyStatement> statements, bool indented)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            {
                writer.WriteStartObject();
                writer.WriteString("Version", "2012-10-17");
                writer.WriteStartArray("Statement");
                foreach (IamPolicyStatement statement in statements)
                {
                    writer.WriteStartObject();
                    writer.WriteString("Sid", statement.Sid);
                    writer.WriteString("Effect", statement.Effect);
                    WriteList(writer, "Action", statement.Actions);
                    WriteList(writer, "Resource", statement.Resources);
                    if (statement.Conditions.Length > 0)
                    {
                        writer.WriteStartObject("Condition");
                        foreach (var byOperator in statement.Conditions.GroupBy(c => c.Operator))
                        {
                            writer.WriteStartObject(byOperator.Key);
                            foreach (IamPolicyCondition condition in byOperator) WriteList(writer, condition.Key, condition.Values);
                            writer.WriteEndObject();
                        }
                        writer.WriteEndObject();
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        // A single value is written as a string ("Resource": "*"), the way IAM's own examples read.
        private static void WriteList(Utf8JsonWriter writer, string name, string[] values)
        {
            if (values.Length == 1) { writer.WriteString(name, values[0]); return; }
            writer.WriteStartArray(name);
            foreach (string value in values) writer.WriteStringValue(value);
            writer.WriteEndArray();
        }

        /// <summary>The stack's names (defaults as New-EcommerceStack derives them) and the ARNs of each kind.</summary>
        private sealed class ResolvedNames
        {
            private readonly IamPolicyTarget target;

            internal ResolvedNames(IamPolicyTarget target)
            {
                this.target = target;
                Partition = AwsPartition.Of(target.Region);
                Table = target.TableName ?? target.StackName;
                Bucket = target.BucketName ?? (target.StackName == null ? null : target.StackName + "-assets");
                Cache = target.CacheClusterId ?? (target.StackName == null ? null : target.StackName + "-redis");
                KmsKeys = (target.KmsKeyArns ?? Array.Empty<string>()).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).Distinct().ToArray();
                foreach (string key in KmsKeys)
                {
                    // DynamoDB and S3 use keys of their own region only; a key of another partition cannot even be named.
                    string[] parts = key.Split(':');
                    if (parts.Length < 6 || parts[1] != Partition.Name || parts[3] != target.Region)
                        throw new EcommerceException("KmsKeyArnWrongRegion", System.Management.Automation.ErrorCategory.InvalidArgument, key,
                            $"The KMS key '{key}' is not a key of {target.Region} ({Partition.Name}); DynamoDB tables and S3 buckets there can only use keys of their own region.",
                            $"Pass the ARN of the key the table and bucket in {target.Region} use (arn:{Partition.Name}:kms:{target.Region}:<account>:key/<id>).");
                }
            }

            internal AwsPartition Partition { get; }
            internal string Table { get; }
            internal string Bucket { get; }
            internal string Cache { get; }
            internal string[] KmsKeys { get; }

            private string Region => target.Region;
            private string Account => target.AccountId;

            private string Arn(string service, string region, string resource) => Partition.Arn(service, region, Account, resource);

            internal string[] Resources(IamResourceKind kind) => kind switch
            {
                IamResourceKind.Table => new[] { Arn("dynamodb", Region, $"table/{Table ?? "*"}"), Arn("dynamodb", Region, $"table/{Table ?? "*"}/index/*") },
                IamResourceKind.StatusItems => new[] { Arn("dynamodb", Region, $"table/{Table ?? "*"}") },
                IamResourceKind.Bucket => new[] { Partition.Arn("s3", "", "", Bucket ?? "*") },
                IamResourceKind.Objects => new[] { Partition.Arn("s3", "", "", $"{Bucket ?? "*"}/*") },
                IamResourceKind.Distribution => new[] { Arn("cloudfront", "", $"distribution/{target.DistributionId ?? "*"}") },
                IamResourceKind.NewDistribution => new[] { Arn("cloudfront", "", "distribution/*") },
                IamResourceKind.OriginAccessControl => new[] { Arn("cloudfront", "", "origin-access-control/*") },
                IamResourceKind.Cache => CacheArns(),
                IamResourceKind.CacheDefaults => new[] { Arn("elasticache", Region, "parametergroup:*"), Arn("elasticache", Region, "subnetgroup:*") },
                IamResourceKind.ServiceLinkedRole => new[] { Arn("iam", "", "role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache") },
                IamResourceKind.Alarm => AlarmPrefixes().Select(p => Arn("cloudwatch", Region, $"alarm:{p}*")).ToArray(),
                IamResourceKind.TableImports => new[] { Arn("dynamodb", Region, $"table/{Table ?? "*"}"), Arn("dynamodb", Region, $"table/{Table ?? "*"}/import/*") },
                IamResourceKind.ImportLogs => new[] { Arn("logs", Region, "log-group:/aws-dynamodb/*") },
                _ => new[] { "*" },
            };

            /// <summary>Operate reads migration status items only: dynamodb:LeadingKeys limits GetItem to partition keys MIGRATION#*.</summary>
            internal IamPolicyCondition[] Conditions(IamResourceKind kind) => kind == IamResourceKind.StatusItems
                ? new[] { new IamPolicyCondition { Operator = "ForAllValues:StringLike", Key = "dynamodb:LeadingKeys", Values = new[] { "MIGRATION#*" } } }
                : Array.Empty<IamPolicyCondition>();

            /// <summary>
            /// Use of the customer managed keys of the table and bucket, only through DynamoDB and S3 in this region (kms:ViaService):
            /// reads need kms:Decrypt, writes kms:GenerateDataKey; creating a table under a key also kms:DescribeKey and kms:CreateGrant.
            /// </summary>
            internal IamPolicyStatement KmsStatement(IReadOnlyCollection<IamPolicyScope> scopes)
            {
                if (KmsKeys.Length == 0) return null;
                var actions = new SortedSet<string>(StringComparer.Ordinal) { "kms:Decrypt" };
                if (scopes.Contains(IamPolicyScope.Provision) || scopes.Contains(IamPolicyScope.Migrate) || scopes.Contains(IamPolicyScope.Import)) actions.Add("kms:GenerateDataKey");
                if (scopes.Contains(IamPolicyScope.Provision)) { actions.Add("kms:CreateGrant"); actions.Add("kms:DescribeKey"); }
                return new IamPolicyStatement
                {
                    Sid = "KmsKeysThroughDynamoDbAndS3",
                    Actions = actions.ToArray(),
                    Resources = KmsKeys,
                    Conditions = new[]
                    {
                        new IamPolicyCondition
                        {
                            Operator = "StringEquals", Key = "kms:ViaService",
                            Values = new[] { $"dynamodb.{Region}.{Partition.DnsSuffix}", $"s3.{Region}.{Partition.DnsSuffix}" },
                        },
                    },
                };
            }

            private string[] CacheArns()
            {
                string prefix = Arn("elasticache", Region, "");
                if (Cache == null) return new[] { prefix + "cluster:*", prefix + "replicationgroup:*", prefix + "serverlesscache:*" };
                // A replication group's member clusters are named <id>-001, <id>-002, ...
                return new[] { $"{prefix}cluster:{Cache}", $"{prefix}cluster:{Cache}-*", $"{prefix}replicationgroup:{Cache}", $"{prefix}serverlesscache:{Cache}" };
            }

            /// <summary>
            /// New-EcommerceAlarm names alarms &lt;stem&gt;-&lt;what&gt;, the stem being ecommerce-&lt;resource&gt; or the resource when it already
            /// starts with ecommerce- (EcommerceAlarmPlan.Stem); earlier versions always prefixed it, and Remove-EcommerceAlarm
            /// still deletes those names, so both prefixes are granted.
            /// </summary>
            private IEnumerable<string> AlarmPrefixes()
            {
                string[] resources = new[] { Table, Bucket, Cache, target.LambdaFunctionName }.Where(n => n != null).Distinct().ToArray();
                if (resources.Length == 0) return new[] { EcommerceAlarmPlan.NamePrefix };
                string[] prefixes = resources.SelectMany(r => new[] { $"{EcommerceAlarmPlan.Stem(r)}-", $"{EcommerceAlarmPlan.NamePrefix}{r}-" })
                    .Distinct(StringComparer.Ordinal).ToArray();
                // ecommerce-shop-* already covers ecommerce-shop-assets-* and ecommerce-shop-redis-*.
                return prefixes.Where(p => !prefixes.Any(other => other != p && p.StartsWith(other, StringComparison.Ordinal)));
            }

            internal IEnumerable<string> Notes(ISet<IamResourceKind> kinds)
            {
                if (kinds.Contains(IamResourceKind.Table) && Table == null)
                    yield return "No -TableName or -Name: the DynamoDB statement covers every table (table/*) of the account and region.";
                if ((kinds.Contains(IamResourceKind.Bucket) || kinds.Contains(IamResourceKind.Objects)) && Bucket == null)
                    yield return $"No -BucketName or -Name: the S3 statements cover every bucket (arn:{Partition.Name}:s3:::*).";
                if (kinds.Contains(IamResourceKind.Distribution) && target.DistributionId == null)
                    yield return "No -DistributionId: the CloudFront statement covers distribution/* of the account (the id exists only after New-AssetCdn); pipe Get-EcommerceStack in again to scope it.";
                if (kinds.Contains(IamResourceKind.OriginAccessControl))
                    yield return "Origin access controls are covered as origin-access-control/*: CloudFront assigns their ids (the module names them after the bucket).";
                if (kinds.Contains(IamResourceKind.Cache) && Cache == null)
                    yield return "No -CacheClusterId or -Name: the ElastiCache statement covers every cluster, replication group and serverless cache.";
                if (kinds.Contains(IamResourceKind.CacheDefaults))
                    yield return "Creating a cache also names its parameter group and subnet group: those are covered as parametergroup:* and subnetgroup:*.";
                if (kinds.Contains(IamResourceKind.ImportLogs))
                    yield return "Import scope (Invoke-*Migration -Method Import): ImportTable reads the staged objects and writes its errors to CloudWatch Logs (/aws-dynamodb/*) with the caller's permissions. The S3 statements cover the asset bucket; a different -StagingBucket needs s3:PutObject, s3:GetObject, s3:ListBucket, s3:ListBucketVersions, s3:DeleteObject, s3:DeleteObjectVersion, s3:GetLifecycleConfiguration, s3:PutLifecycleConfiguration and s3:GetEncryptionConfiguration on it too.";
                if (kinds.Contains(IamResourceKind.Alarm) && Table == null && Bucket == null && Cache == null && target.LambdaFunctionName == null)
                    yield return "No resource names: the alarm statement covers every alarm named ecommerce-*.";
            }
        }
    }
}
