using System.Linq;
using System.Management.Automation;
using System.Net.Security;
using System.Security.Authentication;
using System.Threading.Tasks;
using System;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Connections;
using EcommerceAws.Engine.Input;
using StackExchange.Redis;

namespace EcommerceAws.Engine.Cache
{
    /// <summary>Opens a Redis connection from a redis:// or rediss:// URL plus an optional auth token, with errors in plain words.</summary>
    internal static class RedisConnector
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
            // The default certificate check (trust store + host name), remembering why it refused, to say so plainly.
            var certificate = new CertificateCheck();
            if (options.Ssl) options.CertificateValidation += certificate.Validate;
            await ProbeAsync(target).ConfigureAwait(false);
            Task<ConnectionMultiplexer> connecting = ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                // The client's ConnectTimeout does not cover a TLS handshake the server never answers: bound the whole connect.
                return await connecting.WaitAsync(TimeSpan.FromMilliseconds(2L * target.ConnectTimeoutMs + 1000)).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!connecting.IsCompleted)
            {
                _ = connecting.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                throw Explain(new TimeoutException("The Redis client did not finish connecting in time."), target, options.Password, certificate);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Net.Sockets.SocketException)
            {
                throw Explain(ex, target, options.Password, certificate);
            }
        }

        /// <summary>
        /// A plain TCP connect first (and the TLS handshake for rediss://), so refused / unresolvable / timed out / untrusted
        /// certificate / no TLS there are told apart in plain words, in bounded time (the Redis client says only "could not connect").
        /// </summary>
        private static async Task ProbeAsync(CacheTarget target)
        {
            var uri = new Uri(target.RedisUrl);
            int port = uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port;
            string masked = Secrets.MaskUrl(target.RedisUrl);
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
            if (uri.Scheme == "rediss") await ProbeTlsAsync(client, uri, port, target, masked).ConfigureAwait(false);
        }

        private static async Task ProbeTlsAsync(System.Net.Sockets.TcpClient client, Uri uri, int port, CacheTarget target, string masked)
        {
            var certificate = new CertificateCheck();
            using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            using var timeout = new System.Threading.CancellationTokenSource(target.ConnectTimeoutMs);
            var options = new SslClientAuthenticationOptions { TargetHost = uri.Host, RemoteCertificateValidationCallback = certificate.Validate };
            string plainUrl = $"redis://{uri.Host}:{port}";
            try
            {
                await tls.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A plain Redis reads the TLS hello as an unfinished command and waits for more.
                throw Unreachable(masked, $"the TLS handshake with {uri.Host}:{port} got no answer within {target.ConnectTimeoutMs / 1000.0:0.#} s: the server does not seem to speak TLS on that port. If the cache has no in-transit encryption, use {plainUrl}.", null);
            }
            catch (Exception ex) when (certificate.Failed)
            {
                throw CertificateError(certificate, masked, uri.Host, ex);
            }
            catch (Exception ex) when (ex is AuthenticationException or System.IO.IOException)
            {
                throw Unreachable(masked, $"the TLS handshake with {uri.Host}:{port} failed: the server does not seem to speak TLS on that port. If the cache has no in-transit encryption, use {plainUrl}.", ex);
            }
        }

        private static EcommerceException CertificateError(CertificateCheck certificate, string masked, string host, Exception inner) =>
            new EcommerceException(certificate.NameMismatchOnly ? "CacheCertificateNameMismatch" : "CacheCertificateUntrusted",
                ErrorCategory.SecurityError, masked, $"Could not connect to Redis at {masked}: {certificate.Words(host)}",
                certificate.NameMismatchOnly ? "Use the cache's endpoint name in -RedisUrl." : CertificateCheck.TrustAdvice, inner);

        private static EcommerceException Unreachable(string masked, string words, Exception inner) =>
            new EcommerceException("CacheUnreachable", ErrorCategory.ConnectionError, masked, $"Could not connect to Redis at {masked}: {words}",
                "Check the host and port; for ElastiCache run the command from inside the cache's VPC (an EC2 instance, a Lambda, or a VPN/SSH tunnel), and use rediss:// when in-transit encryption is on.",
                inner);

        /// <summary>A connection error in plain words, secrets scrubbed; timeouts mention that ElastiCache answers only inside its VPC.</summary>
        public static EcommerceException Explain(Exception ex, CacheTarget target, string secret = null, CertificateCheck certificate = null)
        {
            var uri = new Uri(target.RedisUrl);
            string masked = Secrets.MaskUrl(target.RedisUrl);
            // SE.Redis reports a refused certificate as "AuthenticationFailure" too: check the certificate first.
            if (certificate != null && certificate.Failed) return CertificateError(certificate, masked, uri.Host, ex);
            string detail = Secrets.Redact(AllMessages(ex), secret ?? target.AuthToken);
            bool tls = uri.Scheme == "rediss";
            bool handshake = tls && (Inner(ex).Any(e => e is AuthenticationException)
                || detail.Contains("SSL", StringComparison.OrdinalIgnoreCase) || detail.Contains("TLS", StringComparison.Ordinal));
            bool auth = !handshake && (detail.Contains("NOAUTH", StringComparison.Ordinal) || detail.Contains("WRONGPASS", StringComparison.Ordinal)
                || detail.Contains("invalid password", StringComparison.OrdinalIgnoreCase) || detail.Contains("invalid username-password", StringComparison.OrdinalIgnoreCase)
                || detail.Contains("AuthenticationFailure", StringComparison.Ordinal));
            if (auth)
                return new EcommerceException("CacheAuthenticationFailed", ErrorCategory.AuthenticationError, masked,
                    $"Redis at {masked} refused the credentials (the auth token is missing or wrong).",
                    "Pass the cluster's auth token with -AuthToken (Read-Host -AsSecureString); it is never printed.");
            string plainUrl = $"redis://{uri.Host}:{(uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port)}";
            string tlsUrl = "rediss" + plainUrl.Substring(5);
            if (tls)
                return Unreachable(masked, $"the TLS handshake failed: the server at {uri.Host} does not seem to speak TLS on that port. If the cache has no in-transit encryption, use {plainUrl}.", ex);
            return Unreachable(masked, $"the server accepted the connection but did not answer as Redis over plain TCP. If the cache has in-transit encryption (TLS; ElastiCache serverless caches always do), use {tlsUrl}; otherwise check the port. {VpcHint(uri.Host)}", ex);
        }

        private static System.Collections.Generic.IEnumerable<Exception> Inner(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException) yield return e;
        }

        private static string AllMessages(Exception ex) => string.Join(" | ", Inner(ex).Select(e => e.Message));

        /// <summary>ElastiCache has no public endpoint: say so when a connection times out or the host is an AWS/private one.</summary>
        public static string VpcHint(string host) => (host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase)) || IsPrivate(host)
            ? VpcNote : "If this is ElastiCache: " + VpcNote;

        private static bool IsPrivate(string host) =>
            System.Net.IPAddress.TryParse(host, out var ip) && ip.GetAddressBytes() is var b && b.Length == 4
            && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168));

        private const string VpcNote =
            "ElastiCache is reachable only from inside its VPC (an EC2 instance, a Lambda in the VPC, or a VPN/SSH tunnel); a connection from outside times out.";

    }
}
