using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Stack;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates the whole shop stack in one call: DynamoDB table, private S3 asset bucket, CloudFront CDN and ElastiCache Redis.</summary>
    /// <remarks>
    /// <para>Runs New-EcommerceTable, New-AssetBucket, New-AssetCdn and New-CacheCluster in that order with their safe defaults, under one progress bar. Names derive from -Name: the table is &lt;name&gt;, the bucket &lt;name&gt;-assets, the cache cluster &lt;name&gt;-redis; each can be overridden.</para>
    /// <para>Every step is idempotent, so running the command again converges on the same stack. When a step fails, what was already created stays in place and the error (ErrorId StackStepFailed.&lt;cause&gt;) names the failed step; fix the cause and run the command again.</para>
    /// <para>The output EcommerceStack binds by property name into Get-EcommerceEnvironment, Invoke-EcommerceMigration, Publish-ProductAsset, New-EcommerceAlarm and Remove-EcommerceStack. ElastiCache endpoints are reachable only from inside their VPC.</para>
    /// </remarks>
    /// <example>
    /// <code>$stack = New-EcommerceStack -Name ecommerce-cameroon -Region af-south-1</code>
    /// <para>Creates table ecommerce-cameroon, bucket ecommerce-cameroon-assets with its CDN, and cache cluster ecommerce-cameroon-redis in Cape Town.</para>
    /// </example>
    /// <example>
    /// <code>New-EcommerceStack -Name shop-staging -SkipCache -PriceClass PriceClass_200 -NoWait -WhatIf</code>
    /// <para>Shows what would be created for a staging shop without a Redis cluster, creating nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "EcommerceStack", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(EcommerceStack))]
    public sealed class NewEcommerceStackCommand : AwsCmdlet
    {
        /// <summary><para>Stack name; the default for the table name and the prefix of the bucket and cache cluster names.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary><para>Table name. Default: the stack name.</para></summary>
        [Parameter] [ArgumentCompleter(typeof(TableNameCompleter))] public string TableName { get; set; }

        /// <summary><para>Bucket name. Default: &lt;name&gt;-assets.</para></summary>
        [Parameter] [ArgumentCompleter(typeof(BucketNameCompleter))] public string BucketName { get; set; }

        /// <summary><para>Cache cluster id. Default: &lt;name&gt;-redis.</para></summary>
        [Parameter] [ArgumentCompleter(typeof(CacheClusterIdCompleter))] public string CacheClusterId { get; set; }

        /// <summary><para>Table billing: PayPerRequest (default) or Provisioned (5/5, as the guide).</para></summary>
        [Parameter] public BillingMode BillingMode { get; set; } = BillingMode.PayPerRequest;

        /// <summary><para>CloudFront price class: PriceClass_All (default), PriceClass_200, PriceClass_100. PriceClass_100 has no edge in Africa.</para></summary>
        [Parameter]
        [ValidateSet("PriceClass_All", "PriceClass_200", "PriceClass_100")]
        public string PriceClass { get; set; } = "PriceClass_All";

        /// <summary><para>Cache mode: SingleNode (default, as the guide), ReplicationGroup or Serverless.</para></summary>
        [Parameter] public CacheMode CacheMode { get; set; } = CacheMode.SingleNode;

        /// <summary><para>Cache node type. Default cache.t3.micro.</para></summary>
        [Parameter] public string NodeType { get; set; } = "cache.t3.micro";

        /// <summary><para>Do not create the CloudFront distribution.</para></summary>
        [Parameter] public SwitchParameter SkipCdn { get; set; }

        /// <summary><para>Do not create the ElastiCache cluster (for example when the app runs outside AWS and cannot reach a VPC).</para></summary>
        [Parameter] public SwitchParameter SkipCache { get; set; }

        /// <summary><para>Tags for every resource, as a hashtable. ManagedBy=EcommerceAws is always added.</para></summary>
        [Parameter] public Hashtable Tag { get; set; }

        /// <summary><para>Do not wait for the table, CDN and cache to be ready.</para></summary>
        [Parameter] public SwitchParameter NoWait { get; set; }

        protected override void ProcessRecord()
        {
            var spec = new StackSpec
            {
                Name = Name, TableName = TableName, BucketName = BucketName, CacheClusterId = CacheClusterId,
                BillingMode = BillingMode,
                // unbound: PriceClass_All for a new CDN, and a re-run keeps the price class the CDN has
                PriceClass = MyInvocation.BoundParameters.ContainsKey(nameof(PriceClass)) ? PriceClass : null, CacheMode = CacheMode, NodeType = NodeType,
                SkipCdn = SkipCdn, SkipCache = SkipCache, Tags = ManagedTags.With(Tag), Wait = !NoWait,
            };
            CheckInput(() => InputValidation.TableName(spec.ResolvedTableName));
            CheckInput(() => AssetInputValidation.BucketName(spec.ResolvedBucketName));
            if (!SkipCache) CheckInput(() => InputValidation.CacheClusterId(spec.ResolvedCacheClusterId));
            string parts = $"table {spec.ResolvedTableName}, bucket {spec.ResolvedBucketName}"
                + (SkipCdn ? "" : ", CloudFront distribution") + (SkipCache ? "" : $", cache cluster {spec.ResolvedCacheClusterId}");
            if (!ShouldProcess(Name, "Create e-commerce stack: " + parts)) return;
            WriteObject(Run(context => new StackService().CreateAsync(spec, context)));
        }
    }
}
