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
            await ProbeTcpAsync(target).ConfigureAwait(false);
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw Explain(ex, target, options.Password);
            }
        }

        /// <summary>A plain TCP connect first, so refused / unresolvable / timed out are told apart in plain words (the Redis client says only "could not connect").</summary>
        private static async Task ProbeTcpAsync(CacheTarget target)
        {
            var uri = new Uri(target.RedisUrl);
            int port = uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port;
            string masked = UrlMasking.Mask(target.RedisUrl);
            using var client = new System.Net.Sockets.TcpClient();
            using var timeout = new System.Threading.CancellationTokenSource(target.ConnectTimeoutMs);
            try
            {
                await client.ConnectAsync(uri.Host, port, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw Unreachable(masked, $"the connection to {uri.Host}:{port} timed out after {target.ConnectTimeoutMs / 1000.0:0.#} s. {VpcHint(uri.Host)}", null);
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                string words = ex.SocketErrorCode switch
                {
                    System.Net.Sockets.SocketError.ConnectionRefused => $"nothing listens at {uri.Host}:{port} (connection refused).",
                    System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.NoData
                        => $"the name '{uri.Host}' does not resolve (DNS). {VpcHint(uri.Host)}",
                    System.Net.Sockets.SocketError.TimedOut => $"the connection to {uri.Host}:{port} timed out. {VpcHint(uri.Host)}",
                    _ => $"{uri.Host}:{port} is unreachable from here ({ex.SocketErrorCode}). {VpcHint(uri.Host)}",
                };
                throw Unreachable(masked, words, ex);
            }
        }

        private static EcommerceException Unreachable(string masked, string words, Exception inner) =>
            new EcommerceException("CacheUnreachable", ErrorCategory.ConnectionError, masked, $"Could not connect to Redis at {masked}: {words}",
                "Check the host and port; for ElastiCache run the command from inside the cache's VPC (an EC2 instance, a Lambda, or a VPN/SSH tunnel), and use rediss:// when in-transit encryption is on.",
                inner);

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
            bool tls = detail.Contains("SSL", StringComparison.OrdinalIgnoreCase) || detail.Contains("TLS", StringComparison.OrdinalIgnoreCase);
            return Unreachable(masked, tls
                ? "the TLS handshake failed (use rediss:// only when the cluster has in-transit encryption, redis:// otherwise)."
                : $"the connection was accepted but no Redis answered ({FirstSentence(detail)}) Check rediss:// versus redis:// and the port. {VpcHint(new Uri(target.RedisUrl).Host)}", ex);
        }

        /// <summary>ElastiCache has no public endpoint: say so when a connection times out or the host is an AWS/private one.</summary>
        public static string VpcHint(string host) => host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) || IsPrivate(host)
            ? VpcNote : "If this is ElastiCache: " + char.ToLowerInvariant(VpcNote[0]) + VpcNote.Substring(1);

        private static bool IsPrivate(string host) =>
            System.Net.IPAddress.TryParse(host, out var ip) && ip.GetAddressBytes() is var b && b.Length == 4
            && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168));

        private const string VpcNote =
            "ElastiCache is reachable only from inside its VPC (an EC2 instance, a Lambda in the VPC, or a VPN/SSH tunnel); a connection from outside times out.";

        public static string Scrub(string text, string secret) =>
            string.IsNullOrEmpty(secret) || text == null ? text : text.Replace(secret, "****", StringComparison.Ordinal);

        private static string FirstSentence(string text)
        {
            text = (text ?? string.Empty).Split('\n')[0].Trim();
            int cut = text.IndexOf(". ", StringComparison.Ordinal);
            return cut > 0 ? text.Substring(0, cut + 1) : text;
        }
    }
}
