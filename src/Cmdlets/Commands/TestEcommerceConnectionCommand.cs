using System.Management.Automation;
using System.Security;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Connections;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Checks from this machine that the table, the bucket, the CDN, the Redis cache and (if given) the source MongoDB answer: one row each.</summary>
    /// <remarks>
    /// <para>Makes one small real call per service, side by side: DescribeTable on the table, ListObjectsV2 (one key) on the bucket, an HTTPS HEAD to the CDN domain (any HTTP answer counts as reachable; a private bucket's root is usually 403), PING on Redis, and the ping command on MongoDB. Each row has Reachable, LatencyMs, and when it fails the reason in plain words (for example "the table does not exist", "nothing listens at that address", "the name does not resolve").</para>
    /// <para>ElastiCache has no public endpoint: when a Redis connection times out the row says it is reachable only from inside its VPC (run the check from an EC2 instance or Lambda in the VPC, or through a tunnel).</para>
    /// <para>The Redis row and the CDN row check TLS certificates the default way (trust store and host name, never skipped) and say in plain words when a certificate is not trusted or is for another name. ElastiCache and CloudFront certificates are publicly trusted. To trust a private CA: on Linux start pwsh with SSL_CERT_FILE (a PEM bundle that includes it) or SSL_CERT_DIR=&lt;folder with the CA&gt;:/etc/ssl/certs, read once when the process starts; on Windows import it into Cert:\CurrentUser\Root; on macOS mark it trusted in the keychain. -CdnDomain may carry a port (host:8443).</para>
    /// <para>A service whose name is not given gets a Skipped row with a note (MongoDB is left out). All names bind by property name, so an EcommerceStack can be piped in. Passwords in -MongoUri and tokens in -RedisUrl are shown as ****; -AuthToken is never shown.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Test-EcommerceConnection</code>
    /// <para>Checks every part of the stack.</para>
    /// </example>
    /// <example>
    /// <code>Test-EcommerceConnection -TableName ecommerce-cameroon -BucketName ecommerce-cameroon-assets -CdnDomain d111111abcdef8.cloudfront.net -RedisUrl redis://127.0.0.1:6379 -MongoUri $env:MONGODB_URI | Where-Object { -not $_.Reachable }</code>
    /// <para>Lists only what does not answer, before switching the app over.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "EcommerceConnection")]
    [OutputType(typeof(ConnectionTestResult))]
    public sealed class TestEcommerceConnectionCommand : AwsCmdlet
    {
        /// <summary><para>The DynamoDB table to check. Binds by property name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The S3 asset bucket to check. Binds by property name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The CDN domain (for example d111111abcdef8.cloudfront.net) to send an HTTPS HEAD to. Binds by property name (CdnDomain, or DomainName from an AssetCdnInfo).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("DomainName")]
        public string CdnDomain { get; set; }

        /// <summary><para>The Redis cache, redis:// or rediss:// (TLS, certificate checked against this machine's trust store). Binds by property name. A token in it is shown as ****.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RedisUrl { get; set; }

        /// <summary><para>The Redis AUTH token as a SecureString. Never printed.</para></summary>
        [Parameter]
        public SecureString AuthToken { get; set; }

        /// <summary><para>The source MongoDB URI (mongodb:// or mongodb+srv://). Its password is shown as ****. Binds by property name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string MongoUri { get; set; }

        /// <summary><para>Seconds to wait for each service (1 to 60). Default 5.</para></summary>
        [Parameter]
        [ValidateRange(1, 60)]
        public int TimeoutSeconds { get; set; } = 5;

        protected override void ProcessRecord()
        {
            if (!string.IsNullOrWhiteSpace(RedisUrl)) CheckInput(() => CacheInputValidation.RedisUrl(RedisUrl));
            CacheTarget redis = CacheParameters.Target(RedisUrl, AuthToken, null);
            var targets = new ConnectionTargets
            {
                TableName = TableName, BucketName = BucketName, CdnDomain = CdnDomain, MongoUri = MongoUri, TimeoutSeconds = TimeoutSeconds,
                Redis = new CacheTarget { RedisUrl = redis.RedisUrl, AuthToken = redis.AuthToken, ConnectTimeoutMs = TimeoutSeconds * 1000 },
            };
            Run(context => new ConnectionTester().TestAsync(targets, context));
        }
    }
}
