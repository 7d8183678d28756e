using System;
using System.Management.Automation;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using StackExchange.Redis;

namespace EcommerceAws.Engine.Cache
{
    /// <summary>Opens a Redis connection from a redis:// or rediss:// URL plus an optional auth token, with errors in plain words.</summary>
    public static class RedisConnector
    {
        public static ConfigurationOptions Options(CacheTarget target)
        {
            CacheInputValidation.RedisUrl(target.RedisUrl);
            var uri = new Uri(target.RedisUrl);
            var options = new ConfigurationOptions
            {
                Ssl = uri.Scheme == "rediss",
                AbortOnConnectFail = true,
                ConnectRetry = 1,
                ConnectTimeout = target.ConnectTimeoutMs,
                SyncTimeout = Math.Max(target.ConnectTimeoutMs, 5000),
                AsyncTimeout = Math.Max(target.ConnectTimeoutMs, 5000),
                ClientName = "EcommerceAws",
            };
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
            if (options.Ssl) options.SslHost = uri.Host;
            if (int.TryParse(uri.AbsolutePath.Trim('/'), out int database)) options.DefaultDatabase = database;

            string userInfo = Uri.UnescapeDataString(uri.UserInfo ?? string.Empty);
            if (userInfo.Length > 0)
            {
                int colon = userInfo.IndexOf(':');
                if (colon < 0) options.Password = userInfo;               // redis://token@host
                else
                {
                    if (colon > 0) options.User = userInfo.Substring(0, colon); // Redis 6 ACL user
                    options.Password = userInfo.Substring(colon + 1);
                }
            }
            if (!string.IsNullOrEmpty(target.AuthToken)) options.Password = target.AuthToken;
            return options;
        }

        public static async Task<ConnectionMultiplexer> ConnectAsync(CacheTarget target)
        {
            ConfigurationOptions options = Options(target);
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw Explain(ex, target, options.Password);
            }
        }

        /// <summary>A connection error in plain words, secrets scrubbed; timeouts mention that ElastiCache answers only inside its VPC.</summary>
        public static EcommerceException Explain(Exception ex, CacheTarget target, string secret = null)
        {
            string masked = UrlMasking.Mask(target.RedisUrl);
            string detail = Scrub(ex.Message, secret ?? target.AuthToken);
            bool auth = detail.Contains("Authentication", StringComparison.OrdinalIgnoreCase) || detail.Contains("NOAUTH", StringComparison.Ordinal)
                || detail.Contains("WRONGPASS", StringComparison.Ordinal) || detail.Contains("invalid password", StringComparison.OrdinalIgnoreCase);
            if (auth)
                return new EcommerceException("CacheAuthenticationFailed", ErrorCategory.AuthenticationError, masked,
                    $"Redis at {masked} refused the credentials (the auth token is missing or wrong).",
                    "Pass the cluster's auth token with -AuthToken (Read-Host -AsSecureString); it is never printed.");
            string host = SafeHost(target.RedisUrl);
            return new EcommerceException("CacheUnreachable", ErrorCategory.ConnectionError, masked,
                $"Could not connect to Redis at {masked}: {FirstSentence(detail)} {VpcHint(host)}".TrimEnd(),
                "Check the host and port; for ElastiCache run the command from inside the cache's VPC (an EC2 instance, a Lambda, or a VPN/SSH tunnel), and use rediss:// when in-transit encryption is on.",
                ex);
        }

        /// <summary>ElastiCache has no public endpoint: say so when a connection times out or the host is an AWS/private one.</summary>
        public static string VpcHint(string host) =>
            "ElastiCache is reachable only from inside its VPC (an EC2 instance, a Lambda in the VPC, or a VPN/SSH tunnel); a connection from outside times out.";

        public static string Scrub(string text, string secret) =>
            string.IsNullOrEmpty(secret) || text == null ? text : text.Replace(secret, "****", StringComparison.Ordinal);

        private static string SafeHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri uri) ? uri.Host : url;

        private static string FirstSentence(string text)
        {
            text = (text ?? string.Empty).Split('\n')[0].Trim();
            int cut = text.IndexOf(". ", StringComparison.Ordinal);
            return cut > 0 ? text.Substring(0, cut + 1) : text;
        }
    }
}
