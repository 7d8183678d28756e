using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Stack;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Returns the app's environment variables for the stack (the guide's Step 2): AWS_REGION, DYNAMODB_TABLE, S3_BUCKET_NAME, CLOUDFRONT_URL, REDIS_URL.</summary>
    /// <remarks>
    /// <para>From an EcommerceStack in the pipeline the values are taken as they are, with no AWS call. With -Name alone the stack is looked up first (as Get-EcommerceStack). Explicit parameters win over both.</para>
    /// <para>No secret is ever part of the result: give the app an IAM role (or its own keys in your host's secret store), never the runbook's keys. A REDIS_URL never carries an auth token; pass the token to the app separately.</para>
    /// </remarks>
    /// <example>
    /// <code>New-EcommerceStack -Name ecommerce-cameroon | Get-EcommerceEnvironment</code>
    /// <para>Shows the five variables for the new stack.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceEnvironment -Name ecommerce-cameroon | Export-EcommerceEnvFile -Path ./.env</code>
    /// <para>Looks the stack up and writes the variables to .env, keeping the file's other lines.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceEnvironment")]
    [OutputType(typeof(EcommerceEnvironment))]
    public sealed class GetEcommerceEnvironmentCommand : AwsCmdlet
    {
        /// <summary><para>Stack name; the stack is looked up when the other values are not given.</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary><para>DynamoDB table name (DYNAMODB_TABLE).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(TableNameCompleter))] public string TableName { get; set; }

        /// <summary><para>S3 bucket name (S3_BUCKET_NAME).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(BucketNameCompleter))] public string BucketName { get; set; }

        /// <summary><para>CDN URL, https://... (CLOUDFRONT_URL).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] public string CdnUrl { get; set; }

        /// <summary><para>Redis URL without token (REDIS_URL).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] public string RedisUrl { get; set; }

        /// <summary><para>Cache cluster id, used to look the stack up by name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(CacheClusterIdCompleter))] public string CacheClusterId { get; set; }

        protected override void ProcessRecord()
        {
            string region = Region;
            string table = TableName, bucket = BucketName, cdn = CdnUrl, redis = RedisUrl;
            bool fromPipelineStack = table != null && bucket != null && (cdn != null || redis != null);
            if (!fromPipelineStack)
            {
                if (string.IsNullOrEmpty(Name) && table == null)
                    ThrowInputError("EnvironmentSourceMissing", null, "Give a stack (-Name or an EcommerceStack from the pipeline) or the values themselves.",
                        "Run Get-EcommerceEnvironment -Name <stack name>.");
                var names = new StackSpec { Name = Name ?? table, TableName = table, BucketName = bucket, CacheClusterId = CacheClusterId };
                EcommerceStack stack = Run(context => new StackService().DescribeAsync(names, new WarningsAsVerbose(context)));
                region ??= stack.Region;
                table ??= stack.TableName;
                bucket ??= stack.BucketName;
                cdn ??= stack.CdnUrl;
                redis ??= stack.RedisUrl;
            }
            region ??= Run(context => System.Threading.Tasks.Task.FromResult(new AwsInfoService().ResolveRegion(context)));
            if (string.IsNullOrEmpty(redis))
                WriteWarning("REDIS_URL is empty: the cache cluster's endpoint is not known (it may still be creating, or the endpoint is only visible inside its VPC). Run Get-CacheCluster later.");
            WriteObject(new EcommerceEnvironment
            {
                AWS_REGION = region,
                DYNAMODB_TABLE = table,
                S3_BUCKET_NAME = bucket,
                CLOUDFRONT_URL = cdn,
                REDIS_URL = redis,
            });
        }
    }
}
