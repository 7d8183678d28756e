using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Cache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes product keys from the Redis cache with SCAN and UNLINK in batches (never KEYS), and reports how many went.</summary>
    /// <remarks>
    /// <para>By default removes every key of the guide's RedisService scheme: product:* (one product, 1 hour) and products:* (category lists and products:all, 30 minutes), with -KeyPrefix in front when given. -Pattern takes other Redis glob patterns (the prefix is put in front of them too). With the default patterns the prefix holds no product data afterwards, so the table recorded for it (&lt;prefix&gt;ecommerceaws:table) is forgotten too, and the next write may record another table.</para>
    /// <para>Keys are found with SCAN (cursor pages, never the blocking KEYS) and deleted with UNLINK in batches of 500, so a busy production cache keeps answering. Progress shows the count so far.</para>
    /// <para>rediss:// (TLS, as ElastiCache with in-transit encryption: replication groups with it on, and every serverless cache) checks the server certificate against this machine's trust store and the host name; it is never skipped. ElastiCache certificates are publicly trusted, so nothing is needed. For a private CA (a self-hosted Redis with TLS), trust the CA on this machine: on Linux start pwsh with SSL_CERT_FILE set to a PEM bundle that includes it, or SSL_CERT_DIR=&lt;folder with the CA&gt;:/etc/ssl/certs (.NET reads them once, when the process starts); on Windows import it into Cert:\CurrentUser\Root; on macOS mark it trusted in the keychain. An untrusted certificate or one for another name is reported as such (CacheCertificateUntrusted, CacheCertificateNameMismatch), and redis:// against a TLS port (or rediss:// against a plain one) says which scheme to use, within the connect timeout.</para>
    /// <para>-WhatIf lists every key that would be deleted and deletes nothing. The Redis URL and auth token are never printed (a token in the URL is shown as ****).</para>
    /// </remarks>
    /// <example>
    /// <code>Clear-EcommerceCache -RedisUrl rediss://master.ecommerce-redis.abc123.use1.cache.amazonaws.com:6379 -AuthToken (Read-Host -AsSecureString)</code>
    /// <para>Drops all product keys from an ElastiCache cluster with in-transit encryption (run from inside the VPC).</para>
    /// </example>
    /// <example>
    /// <code>Clear-EcommerceCache -RedisUrl redis://127.0.0.1:6379 -Pattern 'products:*' -WhatIf</code>
    /// <para>Lists the cached product lists that would be removed.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Clear-EcommerceCache -Confirm:$false</code>
    /// <para>Binds -RedisUrl by property name from the stack.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Clear, "EcommerceCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CacheOperationResult))]
    public sealed class ClearEcommerceCacheCommand : EcommerceCmdlet
    {
        /// <summary><para>The Redis cache, redis://host:6379 or rediss://host:6379 (TLS). Binds by property name from a CacheClusterInfo or EcommerceStack.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string RedisUrl { get; set; }

        /// <summary><para>The Redis AUTH token as a SecureString. Overrides a password in -RedisUrl. Never printed.</para></summary>
        [Parameter]
        public SecureString AuthToken { get; set; }

        /// <summary><para>Redis glob patterns of the keys to delete. Default: product:* and products:*.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Pattern { get; set; }

        /// <summary><para>A prefix before every key, as given to the product cmdlets (for example 'shop1:'). Default: none.</para></summary>
        [Parameter]
        public string KeyPrefix { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => CacheInputValidation.RedisUrl(RedisUrl));
            CheckInput(() => CacheInputValidation.KeyPrefix(KeyPrefix));
            CacheTarget cache = CacheParameters.Target(RedisUrl, AuthToken, KeyPrefix);
            CacheService service = new CacheService();
            string[] patterns = Pattern == null ? service.DefaultPatterns(KeyPrefix) : Pattern.Select(p => (KeyPrefix ?? "") + p).ToArray();
            string target = $"{Secrets.MaskUrl(RedisUrl)} ({string.Join(", ", patterns)})";

            if (IsWhatIf)
            {
                IReadOnlyList<string> keys = Run(context => service.FindKeysAsync(cache, patterns, context));
                foreach (string key in keys) ShouldProcess(key, "Delete cache key");
                ShouldProcess(target, $"Delete {keys.Count} keys");
                return;
            }
            if (!ShouldProcess(target, "Delete cache keys")) return;
            WriteObject(Run(context => service.ClearAsync(cache, patterns, context)));
        }
    }
}
