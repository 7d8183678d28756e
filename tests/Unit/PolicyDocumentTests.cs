using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Iam;
using EcommerceAws.Output;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>The bucket policy New-AssetCdn / New-AssetBucket edit statement by statement (parsed back and checked as JSON).</summary>
    public class BucketPolicyDocumentTests
    {
        private const string Distribution = "arn:aws:cloudfront::123456789012:distribution/E1ABCDEF";

        private const string Foreign = @"{""Version"":""2012-10-17"",""Id"":""shop"",""Statement"":[
            {""Sid"":""DenyInsecure"",""Effect"":""Deny"",""Principal"":""*"",""Action"":""s3:*"",""Resource"":[""arn:aws:s3:::shop-assets"",""arn:aws:s3:::shop-assets/*""],""Condition"":{""Bool"":{""aws:SecureTransport"":""false""}}},
            {""Effect"":""Allow"",""Principal"":{""AWS"":""arn:aws:iam::123456789012:role/backup""},""Action"":""s3:GetObject"",""Resource"":""arn:aws:s3:::shop-assets/*""}]}";

        private static JsonElement Json(BucketPolicyDocument policy) => JsonDocument.Parse(policy.ToJson()).RootElement;

        private static JsonElement[] Statements(BucketPolicyDocument policy) => Json(policy).GetProperty("Statement").EnumerateArray().ToArray();

        [Fact]
        public void The_cloudfront_statement_lets_only_this_distribution_read_objects_through_its_oac()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(null);
            Assert.True(policy.IsEmpty);
            Assert.True(policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", AwsPartition.Of("eu-west-1"), Distribution)));
            JsonElement root = Json(policy);
            Assert.Equal("2012-10-17", root.GetProperty("Version").GetString());
            JsonElement s = Assert.Single(Statements(policy));
            Assert.Equal("EcommerceAwsCloudFrontRead", s.GetProperty("Sid").GetString());
            Assert.Equal("Allow", s.GetProperty("Effect").GetString());
            Assert.Equal("cloudfront.amazonaws.com", s.GetProperty("Principal").GetProperty("Service").GetString());
            Assert.Equal("s3:GetObject", s.GetProperty("Action").GetString());
            Assert.Equal("arn:aws:s3:::shop-assets/*", s.GetProperty("Resource").GetString());
            JsonElement condition = s.GetProperty("Condition");
            Assert.Single(condition.EnumerateObject());
            Assert.Equal(Distribution, condition.GetProperty("StringEquals").GetProperty("AWS:SourceArn").GetString());
            Assert.Empty(policy.PublicStatementIds);           // not public to Block Public Access: a service principal, a condition
        }

        [Fact]
        public void Object_arns_follow_the_bucket_partition()
        {
            Assert.Equal("arn:aws-cn:s3:::shop-assets/*",
                BucketPolicyDocument.CloudFrontReadStatement("shop-assets", AwsPartition.Of("cn-north-1"), "arn:aws-cn:cloudfront::123456789012:distribution/E1")["Resource"].GetValue<string>());
            Assert.Equal("arn:aws-us-gov:s3:::shop-assets/*",
                BucketPolicyDocument.PublicReadStatement("shop-assets", AwsPartition.Of("us-gov-west-1"))["Resource"].GetValue<string>());
        }

        [Fact]
        public void Merging_keeps_every_foreign_statement_and_policy_member_as_it_was()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(Foreign);
            JsonElement[] before = Statements(policy);
            Assert.True(policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", AwsPartition.Of("us-east-1"), Distribution)));
            JsonElement[] after = Statements(policy);
            Assert.Equal(3, after.Length);
            Assert.Equal(before[0].GetRawText(), after[0].GetRawText());
            Assert.Equal(before[1].GetRawText(), after[1].GetRawText());
            Assert.Equal("EcommerceAwsCloudFrontRead", after[2].GetProperty("Sid").GetString());
            Assert.Equal("shop", Json(policy).GetProperty("Id").GetString());
            Assert.Equal(new[] { "DenyInsecure", "EcommerceAwsCloudFrontRead" }, policy.StatementIds);
        }

        [Fact]
        public void Upserting_the_same_statement_again_changes_nothing_a_new_distribution_replaces_it()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(Foreign);
            var partition = AwsPartition.Of("us-east-1");
            policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", partition, Distribution));
            string once = policy.ToJson();
            Assert.False(policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", partition, Distribution)));
            Assert.Equal(once, policy.ToJson());

            const string Other = "arn:aws:cloudfront::123456789012:distribution/E2NEW";
            Assert.True(policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", partition, Other)));
            JsonElement ours = Assert.Single(Statements(policy), s => s.TryGetProperty("Sid", out JsonElement sid) && sid.GetString() == "EcommerceAwsCloudFrontRead");
            Assert.Equal(Other, ours.GetProperty("Condition").GetProperty("StringEquals").GetProperty("AWS:SourceArn").GetString());
            Assert.Equal(3, Statements(policy).Length);
        }

        [Fact]
        public void Copies_of_our_statement_collapse_into_one()
        {
            var partition = AwsPartition.Of("us-east-1");
            string twice = "{\"Statement\":[" + BucketPolicyDocument.CloudFrontReadStatement("b", partition, Distribution).ToJsonString() + "," +
                BucketPolicyDocument.CloudFrontReadStatement("b", partition, Distribution).ToJsonString() + "]}";
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(twice);
            Assert.True(policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("b", partition, Distribution)));
            Assert.Single(Statements(policy));
        }

        [Fact]
        public void A_single_statement_written_without_the_array_is_read()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Mine\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}");
            Assert.Equal(new[] { "Mine" }, policy.StatementIds);
            policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("b", AwsPartition.Of("us-east-1"), Distribution));
            Assert.Equal(new[] { "Mine", "EcommerceAwsCloudFrontRead" }, policy.StatementIds);
        }

        [Fact]
        public void Removal_takes_only_our_statement_and_says_whether_there_was_one()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(Foreign);
            string foreignOnly = policy.ToJson();
            Assert.False(policy.Remove(BucketPolicyDocument.CloudFrontReadSid));
            policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", AwsPartition.Of("us-east-1"), Distribution));
            Assert.True(policy.Remove(BucketPolicyDocument.CloudFrontReadSid));
            Assert.Equal(foreignOnly, policy.ToJson());
            Assert.False(policy.IsEmpty);

            BucketPolicyDocument ours = BucketPolicyDocument.Parse(null);
            ours.Upsert(BucketPolicyDocument.CloudFrontReadStatement("shop-assets", AwsPartition.Of("us-east-1"), Distribution));
            Assert.True(ours.Remove(BucketPolicyDocument.CloudFrontReadSid));
            Assert.True(ours.IsEmpty);                           // the store then deletes the policy instead of writing an empty one
        }

        [Fact]
        public void Public_statements_are_named_as_block_public_access_sees_them()
        {
            BucketPolicyDocument policy = BucketPolicyDocument.Parse(Foreign);
            Assert.Empty(policy.PublicStatementIds);             // a Deny, and an Allow to one role
            policy.Upsert(BucketPolicyDocument.PublicReadStatement("shop-assets", AwsPartition.Of("us-east-1")));
            Assert.Equal(new[] { "EcommerceAwsPublicRead" }, policy.PublicStatementIds);

            BucketPolicyDocument unnamed = BucketPolicyDocument.Parse(@"{""Statement"":[
                {""Sid"":""Role"",""Effect"":""Allow"",""Principal"":{""AWS"":""arn:aws:iam::123456789012:root""},""Action"":""s3:GetObject"",""Resource"":""*""},
                {""Effect"":""Allow"",""Principal"":{""AWS"":[""arn:aws:iam::123456789012:root"",""*""]},""Action"":""s3:GetObject"",""Resource"":""*""},
                {""Sid"":""Vpc"",""Effect"":""Allow"",""Principal"":""*"",""Action"":""s3:GetObject"",""Resource"":""*"",""Condition"":{""StringEquals"":{""aws:SourceVpce"":""vpce-1""}}}]}");
            // The user is told which statement to remove: the second of the policy, not "the first public one".
            Assert.Equal(new[] { "(statement 2, no Sid)" }, unnamed.PublicStatementIds);
        }
    }

    /// <summary>Get-EcommerceIamPolicy's document, parsed back: actions per -Scope, ARNs per partition, "*" only where documented.</summary>
    public class IamPolicyBuilderTests
    {
        private const string Account = "123456789012";

        private static EcommerceIamPolicy Build(string region, params IamPolicyScope[] scopes) => new IamPolicyService().Build(
            new IamPolicyTarget { AccountId = Account, Region = region, StackName = "shop", DistributionId = "E1ABCDEF" }, scopes);

        private sealed record Statement(string Sid, string Effect, string[] Actions, string[] Resources, JsonElement? Condition);

        private static Statement[] Parse(EcommerceIamPolicy policy)
        {
            JsonElement root = JsonDocument.Parse(policy.Json).RootElement;
            Assert.Equal("2012-10-17", root.GetProperty("Version").GetString());
            return root.GetProperty("Statement").EnumerateArray().Select(s => new Statement(
                s.GetProperty("Sid").GetString(), s.GetProperty("Effect").GetString(), List(s.GetProperty("Action")), List(s.GetProperty("Resource")),
                s.TryGetProperty("Condition", out JsonElement c) ? c : null)).ToArray();
        }

        private static string[] List(JsonElement e) =>
            e.ValueKind == JsonValueKind.String ? new[] { e.GetString() } : e.EnumerateArray().Select(x => x.GetString()).ToArray();

        private static HashSet<string> Actions(Statement[] statements) => statements.SelectMany(s => s.Actions).ToHashSet();

        [Fact]
        public void Every_statement_allows_named_actions_under_a_unique_sid()
        {
            Statement[] statements = Parse(Build("us-east-1"));
            Assert.All(statements, s => Assert.Equal("Allow", s.Effect));
            Assert.Equal(statements.Length, statements.Select(s => s.Sid).Distinct().Count());
            Assert.All(statements.SelectMany(s => s.Actions), a => Assert.Matches("^[a-z0-9]+:[A-Za-z0-9]+$", a)); // no "s3:*" or "Get*"
        }

        [Fact]
        public void Each_scope_grants_what_its_cmdlets_call_and_nothing_of_another_scope()
        {
            HashSet<string> provision = Actions(Parse(Build("us-east-1", IamPolicyScope.Provision)));
            HashSet<string> migrate = Actions(Parse(Build("us-east-1", IamPolicyScope.Migrate)));
            HashSet<string> operate = Actions(Parse(Build("us-east-1", IamPolicyScope.Operate)));
            HashSet<string> import = Actions(Parse(Build("us-east-1", IamPolicyScope.Import)));

            Assert.Superset(new HashSet<string> { "dynamodb:CreateTable", "dynamodb:DeleteTable", "s3:CreateBucket", "s3:PutBucketPolicy",
                "cloudfront:CreateDistribution", "cloudfront:UpdateDistribution", "elasticache:CreateReplicationGroup", "iam:CreateServiceLinkedRole" }, provision);
            Assert.Superset(new HashSet<string> { "dynamodb:BatchWriteItem", "dynamodb:Query", "s3:PutObject", "s3:ListBucket" }, migrate);
            Assert.Superset(new HashSet<string> { "dynamodb:ImportTable", "dynamodb:DescribeImport", "dynamodb:UpdateTable", "dynamodb:TagResource",
                "s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject", "logs:CreateLogGroup", "logs:PutLogEvents" }, import);
            // -Method Import lives in its own scope: the write path's role gets none of it.
            Assert.DoesNotContain("dynamodb:ImportTable", migrate);
            Assert.DoesNotContain("dynamodb:BatchWriteItem", import);
            Assert.Superset(new HashSet<string> { "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudfront:CreateInvalidation", "dynamodb:GetItem" }, operate);

            // A migration runbook creates and deletes nothing, and writes no policy.
            Assert.DoesNotContain(migrate, a => a.Contains(":Create") || a.Contains(":Delete") && a != "dynamodb:DeleteItem" || a.EndsWith("Policy"));
            Assert.DoesNotContain("dynamodb:BatchWriteItem", operate);
            Assert.DoesNotContain("dynamodb:BatchWriteItem", provision);
            Assert.DoesNotContain("cloudwatch:PutMetricAlarm", provision);
            Assert.DoesNotContain("cloudwatch:PutMetricAlarm", migrate);
            Assert.DoesNotContain("s3:PutObject", provision);

            // All scopes together are exactly the union.
            Assert.Equal(provision.Union(migrate).Union(operate).Union(import).OrderBy(a => a), Actions(Parse(Build("us-east-1"))).OrderBy(a => a));
        }

        [Fact]
        public void Operate_reads_only_the_migration_status_items_of_the_table()
        {
            Statement[] statements = Parse(Build("us-east-1", IamPolicyScope.Operate));
            Statement status = Assert.Single(statements, s => s.Actions.Contains("dynamodb:GetItem"));
            Assert.Equal(new[] { "dynamodb:GetItem" }, status.Actions);
            Assert.Equal(new[] { $"arn:aws:dynamodb:us-east-1:{Account}:table/shop" }, status.Resources);
            JsonElement leading = status.Condition.Value.GetProperty("ForAllValues:StringLike").GetProperty("dynamodb:LeadingKeys");
            Assert.Equal(new[] { "MIGRATION#*" }, List(leading));
            Assert.DoesNotContain(statements, s => s.Actions.Any(a => a.StartsWith("dynamodb:") && a != "dynamodb:GetItem" && a != "dynamodb:DescribeTable"
                && a != "dynamodb:DescribeContinuousBackups" && a != "dynamodb:DescribeTimeToLive"));

            // Next to Migrate's GetItem on the whole table the narrower statement is redundant and dropped.
            Statement[] both = Parse(Build("us-east-1", IamPolicyScope.Migrate, IamPolicyScope.Operate));
            Assert.DoesNotContain(both, s => s.Condition.HasValue && s.Condition.Value.TryGetProperty("ForAllValues:StringLike", out _));
        }

        [Theory]
        [InlineData("us-east-1", "aws", true)]
        [InlineData("af-south-1", "aws", true)]
        [InlineData("cn-north-1", "aws-cn", true)]
        [InlineData("us-gov-west-1", "aws-us-gov", false)]
        public void Resource_arns_are_the_stacks_own_in_the_regions_partition(string region, string partition, bool hasCloudFront)
        {
            EcommerceIamPolicy policy = Build(region);
            Assert.Equal(partition, policy.Partition);
            Statement[] statements = Parse(policy);
            string[] arns = statements.SelectMany(s => s.Resources).Where(r => r != "*").ToArray();
            Assert.All(arns, arn => Assert.StartsWith($"arn:{partition}:", arn));

            Assert.Equal(new[] { $"arn:{partition}:dynamodb:{region}:{Account}:table/shop", $"arn:{partition}:dynamodb:{region}:{Account}:table/shop/index/*" },
                statements.Single(s => s.Sid == "DynamoDbTableAndIndexes").Resources);
            Assert.Equal(new[] { $"arn:{partition}:s3:::shop-assets" }, statements.Single(s => s.Sid == "S3AssetBucket").Resources);
            Assert.Equal(new[] { $"arn:{partition}:s3:::shop-assets/*" }, statements.Single(s => s.Sid == "S3AssetObjects").Resources);
            Assert.Equal(new[]
            {
                $"arn:{partition}:elasticache:{region}:{Account}:cluster:shop-redis", $"arn:{partition}:elasticache:{region}:{Account}:cluster:shop-redis-*",
                $"arn:{partition}:elasticache:{region}:{Account}:replicationgroup:shop-redis", $"arn:{partition}:elasticache:{region}:{Account}:serverlesscache:shop-redis",
            }, statements.Single(s => s.Sid == "ElastiCacheCache").Resources);
            Assert.Equal(new[] { $"arn:{partition}:cloudwatch:{region}:{Account}:alarm:ecommerce-shop-*" }, statements.Single(s => s.Sid == "CloudWatchAlarms").Resources);

            bool anyCloudFront = statements.Any(s => s.Actions.Any(a => a.StartsWith("cloudfront:")));
            Assert.Equal(hasCloudFront, anyCloudFront);
            if (hasCloudFront)
                Assert.Equal(new[] { $"arn:{partition}:cloudfront::{Account}:distribution/E1ABCDEF" }, statements.Single(s => s.Sid == "CloudFrontDistribution").Resources);
            // Origin access control exists only in the aws partition.
            Assert.Equal(partition == "aws", Actions(statements).Contains("cloudfront:CreateOriginAccessControl"));
            Assert.Equal(partition == "aws", Actions(statements).Contains("cloudfront:CreateDistribution"));
        }

        [Fact]
        public void Resource_star_only_for_the_documented_actions_and_no_wildcard_over_named_resources()
        {
            EcommerceIamPolicy policy = Build("us-east-1");
            Statement[] statements = Parse(policy);
            foreach (Statement s in statements.Where(s => s.Resources.Contains("*")))
            {
                Assert.Equal(new[] { "*" }, s.Resources);
                Assert.All(s.Actions, a => Assert.True(IamActionCatalog.WildcardReasons.ContainsKey(a), a + " on \"*\" without a documented reason"));
            }
            Assert.Equal(statements.Where(s => s.Resources.Contains("*")).SelectMany(s => s.Actions).OrderBy(a => a),
                policy.WildcardActions.Select(w => w.Action).OrderBy(a => a));
            Assert.All(policy.WildcardActions, w => Assert.NotEqual("(undocumented)", w.Reason));

            // With the stack named, wildcards appear only where names are assigned by AWS or are patterns by design.
            string[] allowedPatterns =
            {
                "table/shop/index/*", "shop-assets/*", "cluster:shop-redis-*", "alarm:ecommerce-shop-*",
                "origin-access-control/*", "parametergroup:*", "subnetgroup:*",
                "distribution/*", // cloudfront:TagResource of a distribution being created (no id yet)
                "table/shop/import/*", "log-group:/aws-dynamodb/*", // DescribeImport of the table's imports; ImportTable's error logs
            };
            foreach (string arn in statements.SelectMany(s => s.Resources).Where(r => r != "*" && r.Contains('*')))
                Assert.Contains(allowedPatterns, p => arn.EndsWith(":" + p) || arn.EndsWith("/" + p) || arn.EndsWith(":::" + p));
            Statement newDistribution = statements.Single(s => s.Resources.Any(r => r.EndsWith(":distribution/*")));
            Assert.Equal(new[] { "cloudfront:TagResource" }, newDistribution.Actions);
        }

        [Fact]
        public void Kms_keys_are_usable_only_through_dynamodb_and_s3_of_the_region()
        {
            const string Key = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            EcommerceIamPolicy policy = new IamPolicyService().Build(
                new IamPolicyTarget { AccountId = Account, Region = "cn-north-1", StackName = "shop", KmsKeyArns = new[] { Key, " " + Key + " " } },
                new[] { IamPolicyScope.Migrate });
            Statement kms = Assert.Single(Parse(policy), s => s.Actions.Any(a => a.StartsWith("kms:")));
            Assert.Equal(new[] { "kms:Decrypt", "kms:GenerateDataKey" }, kms.Actions);
            Assert.Equal(new[] { Key }, kms.Resources);
            Assert.Equal(new[] { "dynamodb.cn-north-1.amazonaws.com.cn", "s3.cn-north-1.amazonaws.com.cn" },
                List(kms.Condition.Value.GetProperty("StringEquals").GetProperty("kms:ViaService")));

            var wrong = Assert.Throws<EcommerceException>(() => new IamPolicyService().Build(
                new IamPolicyTarget { AccountId = Account, Region = "eu-west-1", StackName = "shop", KmsKeyArns = new[] { "arn:aws:kms:us-east-1:123456789012:key/1" } },
                new[] { IamPolicyScope.Migrate }));
            Assert.Equal("KmsKeyArnWrongRegion", wrong.ErrorId);
        }

        [Fact]
        public void Without_names_the_statements_say_what_they_cover()
        {
            EcommerceIamPolicy policy = new IamPolicyService().Build(new IamPolicyTarget { AccountId = Account, Region = "us-east-1" }, null);
            Statement[] statements = Parse(policy);
            Assert.Contains($"arn:aws:dynamodb:us-east-1:{Account}:table/*", statements.Single(s => s.Sid == "DynamoDbTableAndIndexes").Resources);
            Assert.Contains(policy.Notes, n => n.Contains("table/*"));
            Assert.Contains(policy.Notes, n => n.Contains("No -DistributionId"));
            Assert.Throws<ArgumentException>(() => new IamPolicyService().Build(new IamPolicyTarget { Region = "us-east-1" }, null));
        }
    }
}
