using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Net;
using System.Threading.Tasks;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3.Model;
using Amazon.S3;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Cache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Output;
using MongoDB.Bson;
using MongoDB.Driver;
using StackExchange.Redis;

namespace EcommerceAws.Engine.Connections
{
    /// <summary>
    /// Test-EcommerceConnection: one small real call per service (DescribeTable, ListObjectsV2, an HTTPS HEAD, PING,
    /// the MongoDB ping command), run side by side, each failure explained in plain words with secrets masked.
    /// </summary>
    public sealed class ConnectionTester
    {
        public async Task TestAsync(ConnectionTargets targets, IOperationContext context)
        {
            var checks = new System.Collections.Generic.List<Task<ConnectionTestResult>>
            {
                Check("DynamoDB", targets.TableName, targets.TableName, () => DynamoAsync(targets.TableName, context), "no -TableName given"),
                Check("S3", targets.BucketName, targets.BucketName, () => S3Async(targets.BucketName, context), "no -BucketName given"),
                Check("CDN", targets.CdnDomain, targets.CdnDomain, () => CdnAsync(targets.CdnDomain, targets.TimeoutSeconds, context), "no -CdnDomain given"),
                Check("Redis", targets.Redis?.RedisUrl, Secrets.MaskUrl(targets.Redis?.RedisUrl), () => RedisAsync(targets.Redis), "no -RedisUrl given"),
            };
            if (!string.IsNullOrWhiteSpace(targets.MongoUri))
                checks.Add(Check("MongoDB", targets.MongoUri, Secrets.MaskUrl(targets.MongoUri), () => MongoAsync(targets.MongoUri, targets.TimeoutSeconds, context), null));
            foreach (Task<ConnectionTestResult> check in checks)
                context.WriteObject(await check.ConfigureAwait(false));
        }

        private static async Task<ConnectionTestResult> Check(string service, string given, string shownTarget, Func<Task<string>> probe, string skipNote)
        {
            if (string.IsNullOrWhiteSpace(given))
                return new ConnectionTestResult { Service = service, Target = null, Skipped = true, Note = $"Skipped: {skipNote}." };
            var clock = Stopwatch.StartNew();
            try
            {
                string note = await Task.Run(probe).ConfigureAwait(false);
                return new ConnectionTestResult { Service = service, Target = shownTarget, Reachable = true, LatencyMs = clock.ElapsedMilliseconds, Note = note };
            }
            catch (Exception ex)
            {
                return new ConnectionTestResult { Service = service, Target = shownTarget, Reachable = false, LatencyMs = clock.ElapsedMilliseconds, Error = Explain(ex) };
            }
        }

        private static async Task<string> DynamoAsync(string tableName, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            try
            {
                DescribeTableResponse table = await dynamo.DescribeTableAsync(tableName, context.Cancellation).ConfigureAwait(false);
                return $"Table {table.Table.TableStatus}, {table.Table.ItemCount ?? 0} items (approximate).";
            }
            catch (ResourceNotFoundException)
            {
                throw new PlainError($"The table '{tableName}' does not exist in {AwsEnvironment.ResolveRegion(context.Aws).SystemName}.");
            }
        }

        private static async Task<string> S3Async(string bucketName, IOperationContext context)
        {
            AssetInputValidation.BucketName(bucketName);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            try
            {
                await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucketName, MaxKeys = 1 }, context.Cancellation).ConfigureAwait(false);
                return "Bucket answers (ListObjectsV2).";
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket" || ex.StatusCode == HttpStatusCode.NotFound)
            {
                throw new PlainError($"The bucket '{bucketName}' does not exist.");
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new PlainError($"Access to the bucket '{bucketName}' was denied: the credentials in use lack s3:ListBucket on it, or it belongs to another account.");
            }
        }

        private static async Task<string> CdnAsync(string domain, int timeoutSeconds, IOperationContext context)
        {
            string host = AssetInputValidation.CdnHost(domain);
            // The default certificate check, remembering why it refused, so the row can say it plainly.
            var certificate = new CertificateCheck();
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = certificate.Validate;
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
            using var request = new HttpRequestMessage(HttpMethod.Head, $"https://{host}/");
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, context.Cancellation).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (certificate.Failed)
            {
                string name = host.Split(':')[0];
                throw new PlainError("The HTTPS handshake failed: " + certificate.Words(name) + (certificate.NameMismatchOnly ? "" : " " + CertificateCheck.TrustAdvice));
            }
            using var answered = response;
            string server = response.Headers.Server?.ToString();
            // Any HTTP answer means the CDN serves HTTPS here; a private bucket's root is usually 403.
            return $"HTTPS answered {(int)response.StatusCode} {response.ReasonPhrase}" + (string.IsNullOrEmpty(server) ? "." : $" (server {server}).");
        }

        private static async Task<string> RedisAsync(CacheTarget target)
        {
            using ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(target).ConfigureAwait(false);
            TimeSpan ping = await connection.GetDatabase().PingAsync().ConfigureAwait(false);
            return $"PING answered in {ping.TotalMilliseconds:0.0} ms.";
        }

        private static async Task<string> MongoAsync(string uri, int timeoutSeconds, IOperationContext context)
        {
            MongoUrl url;
            try { url = new MongoUrl(uri); }
            catch (Exception) { throw new PlainError("The MongoDB URI is not valid (expected mongodb://[user:password@]host[:port]/[database])."); }
            var settings = MongoClientSettings.FromUrl(url);
            settings.ServerSelectionTimeout = TimeSpan.FromSeconds(timeoutSeconds);
            settings.ConnectTimeout = TimeSpan.FromSeconds(timeoutSeconds);
            using var client = new MongoClient(settings);
            string database = string.IsNullOrEmpty(url.DatabaseName) ? "admin" : url.DatabaseName;
            try
            {
                await client.GetDatabase(database).RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: context.Cancellation).ConfigureAwait(false);
            }
            catch (MongoAuthenticationException)
            {
                throw new PlainError("MongoDB refused the user name or password in the URI.");
            }
            catch (TimeoutException ex)
            {
                bool auth = ex.Message.Contains("Authentication", StringComparison.OrdinalIgnoreCase);
                throw new PlainError(auth
                    ? "MongoDB refused the user name or password in the URI."
                    : $"No MongoDB server answered at {string.Join(", ", url.Servers.Select(s => s.ToString()))} within {timeoutSeconds} s (nothing listens there, or a firewall drops the connection).");
            }
            return $"ping answered (database {database}).";
        }

        /// <summary>An error already in plain words.</summary>
        private sealed class PlainError : Exception
        {
            internal PlainError(string message) : base(message) { }
        }

        /// <summary>The failure in plain words (no stack traces, no secrets: the messages used never contain the URL's user info).</summary>
        private static string Explain(Exception ex)
        {
            if (ex is PlainError || ex is EcommerceException) return ex.Message;
            Exception root = ex;
            while (root.InnerException != null && root is not SocketException) root = root.InnerException;
            if (ex is HttpRequestException http)
            {
                if (root is SocketException socket) return SocketWords(socket);
                if (http.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase) || root is System.Security.Authentication.AuthenticationException)
                    return "The HTTPS handshake failed (the domain does not serve HTTPS on that port, or the TLS versions do not match).";
                return "The HTTPS request failed: " + http.Message;
            }
            if (ex is TaskCanceledException || ex is TimeoutException) return "No answer before the timeout.";
            if (ex is AmazonServiceException aws) return $"AWS answered {aws.ErrorCode}: {aws.Message}";
            if (ex is Amazon.Runtime.AmazonClientException client)
                return root is SocketException s ? "The AWS endpoint: " + SocketWords(s) : "The AWS endpoint could not be reached: " + client.Message;
            if (root is SocketException other) return SocketWords(other);
            return ex.Message;
        }

        private static string SocketWords(SocketException socket) => socket.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "The name does not resolve (DNS): check the spelling, or that the resource exists.",
            SocketError.ConnectionRefused => "Nothing listens at that address and port (connection refused).",
            SocketError.TimedOut => "The connection timed out (a firewall or security group drops it).",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "The network or host is unreachable from here.",
            _ => $"The connection failed ({socket.SocketErrorCode}).",
        };
    }
}
