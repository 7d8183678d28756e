using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Iam;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets the least-privilege IAM policy for the EcommerceAws cmdlets a runbook runs, scoped to a stack's resources.</summary>
    /// <remarks>
    /// <para>-Scope Provision covers New/Get/Remove of the table, asset bucket, CDN, cache cluster and stack (and Get-EcommerceEnvironment); Migrate covers Invoke-*Migration, Get/Remove-MigrationStatus, Test-EcommerceMigration, Measure-MigrationCost, the product cmdlets and Publish-ProductAsset; Operate covers the CloudWatch alarms, Clear-AssetCdnCache, Test-EcommerceConnection and the read-only status: Get-EcommerceStack, Get-MigrationStatus (its status items only, through the condition dynamodb:LeadingKeys = MIGRATION#*) and the plan of Remove-EcommerceStack -WhatIf; Import covers Invoke-*Migration -Method Import on top of Migrate (ImportTable and DescribeImport, the S3 reads and CloudWatch Logs writes ImportTable makes with the caller's rights, the staging prefix and its lifecycle rule, and finishing the new table: deletion protection, PITR, TTL, tags, status items). ConvertTo-EcommerceItem and the Redis cache cmdlets make no AWS calls. Default: all four.</para>
    /// <para>The actions come from the module's own catalog of every AWS client method it calls (Operations lists them), so the policy follows the code. Resources are scoped to the table and its indexes, the bucket and its objects, the distribution, the cache cluster (or replication group or serverless cache) and the alarms named ecommerce-&lt;resource&gt;-*. Resource "*" is used only for actions IAM cannot scope (list calls, sts:GetCallerIdentity) or whose resource has no id before it is created; WildcardActions names each with the reason, and Notes says what could not be scoped by name.</para>
    /// <para>ARNs are built for the region's partition (arn:aws-cn: in the China regions, arn:aws-us-gov: in GovCloud). CloudFront statements are left out where CloudFront does not exist (GovCloud), and the origin access control and CreateDistribution ones where it has no origin access control (China); Notes says so. Migrate includes s3:ListBucket on the bucket: without it S3 answers HeadObject on a missing image with 403 instead of 404. -KmsKeyArn adds the use of customer managed keys through DynamoDB and S3.</para>
    /// <para>Pipe an EcommerceStack (New-EcommerceStack, Get-EcommerceStack) to bind its names, including the distribution id. -AccountId defaults to the caller's account (STS GetCallerIdentity); -Region to the SDK chain. -AsJson writes only the policy document, ready for Set-Content and 'aws iam create-policy'.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Get-EcommerceIamPolicy -AsJson | Set-Content runbook-policy.json</code>
    /// <para>Writes the policy for every scope of the stack; then 'aws iam create-policy --policy-name ecommerce-runbook --policy-document file://runbook-policy.json'.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceIamPolicy -Name ecommerce-cameroon -Scope Migrate -AccountId 123456789012 -Region af-south-1 | Format-List Statements, WildcardActions, Notes</code>
    /// <para>Shows what the migration role needs (no AWS call: the account and region are given).</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceIamPolicy")]
    [OutputType(typeof(EcommerceIamPolicy), typeof(string))]
    public sealed class GetEcommerceIamPolicyCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>The cmdlet groups the role will run: Provision, Migrate, Operate, Import (Invoke-*Migration -Method Import, which creates the table and manages a staging prefix; add it to Migrate for a role that imports). Default: all four.</para></summary>
        [Parameter(Position = 0)]
        public IamPolicyScope[] Scope { get; set; }

        /// <summary><para>Stack name; table, bucket and cache names default to &lt;name&gt;, &lt;name&gt;-assets and &lt;name&gt;-redis as New-EcommerceStack names them.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary><para>DynamoDB table name. Default: the stack name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>S3 asset bucket name. Default: &lt;name&gt;-assets.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>CloudFront distribution id. Default: every distribution of the account (said in Notes), since the id exists only after New-AssetCdn.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(DistributionIdCompleter))]
        public string DistributionId { get; set; }

        /// <summary><para>ElastiCache cluster, replication group or serverless cache id. Default: &lt;name&gt;-redis.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>A Lambda function whose error alarm (ecommerce-&lt;function&gt;-lambda-errors) the Operate role manages.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string LambdaFunctionName { get; set; }

        /// <summary><para>ARNs of the customer managed KMS keys the table and the bucket are encrypted with (New-EcommerceTable / New-AssetBucket -KmsKeyId). Adds one statement that lets the roles use them only through DynamoDB and S3 in the region (condition kms:ViaService): kms:Decrypt to read, kms:GenerateDataKey to write, and kms:CreateGrant and kms:DescribeKey to create the table. The key policy must allow the role too.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] KmsKeyArn { get; set; }

        /// <summary><para>12-digit AWS account id for the ARNs. Default: the caller's account (STS GetCallerIdentity).</para></summary>
        [Parameter]
        [ValidatePattern(@"^\d{12}$")]
        public string AccountId { get; set; }

        /// <summary><para>Write only the policy document (a JSON string) instead of the EcommerceIamPolicy object.</para></summary>
        [Parameter]
        public SwitchParameter AsJson { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            string table = Given(TableName), bucket = Given(BucketName), distribution = Given(DistributionId), cache = CacheIds.Normalize(Given(CacheClusterId)), stack = Given(Name);
            if (table != null || stack != null) CheckInput(() => InputValidation.TableName(table ?? stack));
            if (bucket != null) CheckInput(() => AssetInputValidation.BucketName(bucket));
            if (distribution != null) CheckInput(() => AssetInputValidation.DistributionId(distribution));
            if (cache != null) CheckInput(() => InputValidation.CacheClusterId(cache));
            string[] keys = (KmsKeyArn ?? System.Array.Empty<string>()).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()).ToArray();
            foreach (string key in keys) CheckInput(() => InputValidation.KmsKeyArn(key));

            EcommerceIamPolicy policy = Run(async context =>
            {
                AwsInfoService aws = new AwsInfoService();
                var target = new IamPolicyTarget
                {
                    AccountId = AccountId ?? await aws.GetAccountIdAsync(context).ConfigureAwait(false),
                    Region = Region ?? aws.ResolveRegion(context),
                    StackName = stack,
                    TableName = table,
                    BucketName = bucket,
                    DistributionId = distribution,
                    CacheClusterId = cache,
                    LambdaFunctionName = Given(LambdaFunctionName),
                    KmsKeyArns = keys,
                };
                return new IamPolicyService().Build(target, Scope);
            });
            foreach (string note in policy.Notes) WriteVerbose(note);
            if (AsJson) WriteObject(policy.Json);
            else WriteObject(policy);
        }

        #endregion

        // A stack without a CDN or cache carries empty names: those parts are not known.
        private static string Given(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
