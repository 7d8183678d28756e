using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Cache;
using EcommerceAws.Engine;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Warms the Redis cache from the table: every product key, every category list and the all-products list, with the guide's TTLs.</summary>
    /// <remarks>
    /// <para>Walks the categories listed in the table (TYPE#category on GSI1) and each category's products, and writes product:&lt;id&gt; (TTL 3600 s), products:&lt;category&gt; (TTL 1800 s) and products:all (TTL 1800 s) as JSON, exactly what Get-EcommerceProduct and the app's ProductModel read. Run it right after switching the app to AWS so the first shoppers do not all miss the cache.</para>
    /// <para>rediss:// (TLS, as ElastiCache with in-transit encryption: replication groups with it on, and every serverless cache) checks the server certificate against this machine's trust store and the host name; it is never skipped. ElastiCache certificates are publicly trusted, so nothing is needed. For a private CA (a self-hosted Redis with TLS), trust the CA on this machine: on Linux start pwsh with SSL_CERT_FILE set to a PEM bundle that includes it, or SSL_CERT_DIR=&lt;folder with the CA&gt;:/etc/ssl/certs (.NET reads them once, when the process starts); on Windows import it into Cert:\CurrentUser\Root; on macOS mark it trusted in the keychain. An untrusted certificate or one for another name is reported as such (CacheCertificateUntrusted, CacheCertificateNameMismatch), and redis:// against a TLS port (or rediss:// against a plain one) says which scheme to use, within the connect timeout.</para>
    /// <para>The guide's keys do not name the table, so one Redis (or -KeyPrefix) serves one table: the first warm-up records the table in &lt;prefix&gt;ecommerceaws:table, and warming the same Redis and prefix from another table is refused with CacheServesOtherTable, writing nothing. Use a -KeyPrefix per table, or empty the prefix first with Clear-EcommerceCache.</para>
    /// <para>-RedisUrl and -TableName bind by property name from an EcommerceStack. Progress shows the category being read and the keys written. The URL's token and -AuthToken are never printed.</para>
    /// </remarks>
    /// <example>
    /// <code>Initialize-EcommerceCache -TableName ecommerce-cameroon -RedisUrl redis://127.0.0.1:6379</code>
    /// <para>Fills a local Redis from the table.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Initialize-EcommerceCache -AuthToken $token</code>
    /// <para>Warms the stack's ElastiCache cluster (run from inside its VPC).</para>
    /// </example>
    [Cmdlet(VerbsData.Initialize, "EcommerceCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(CacheOperationResult))]
    public sealed class InitializeEcommerceCacheCommand : ProductCmdlet
    {
        protected override void ProcessRecord()
        {
            CheckCommonInput();
            if (string.IsNullOrWhiteSpace(RedisUrl))
                ThrowInputError("MissingRedisUrl", RedisUrl, "-RedisUrl is required to warm the cache.",
                    "Pass -RedisUrl redis://host:6379, or pipe a CacheClusterInfo or EcommerceStack.");
            if (!ShouldProcess(Secrets.MaskUrl(RedisUrl), $"Cache the products of table '{TableName}'")) return;
            CacheTarget cache = Cache;
            WriteObject(Run(context => new CacheService().WarmAsync(TableName, cache, context)));
        }
    }
}
