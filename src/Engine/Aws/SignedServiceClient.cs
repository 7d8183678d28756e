using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// The transport shared by the hand-written clients (CloudFront, ElastiCache, CloudWatch): AWSSDK.Core's SigV4
    /// signer, its credential and region resolution, the endpoint override rules, and the SDK's habits that a raw
    /// HttpClient lacks: redirects are never followed (a signature is valid for one host), a clock that is minutes off
    /// is corrected from the service's Date header and the request signed again once (as AWSSDK.Core's clock-skew
    /// correction does), and throttling and 5xx answers are retried with full-jitter exponential backoff from a 1 s
    /// base up to 20 s (the SDKs' standard retry mode). AWS error XML becomes <see cref="AmazonServiceException"/>
    /// (the same exception the real SDK packages throw, so callers survive the swap).
    /// </summary>
    internal sealed class SignedServiceClient : IDisposable
    {
        private const int MaxAttempts = 5;
        /// <summary>Test-only: the backoff base in milliseconds (default 1000; the cap is 20 times the base).</summary>
        public const string RetryBaseVariable = "ECOM_AWS_RETRY_BASE_MS";
        private const double DefaultRetryBaseMs = 1000;
        private const double MaxBackoffFactor = 20;
        private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);
        /// <summary>Offsets smaller than this are not corrected (the AWS SDKs use five minutes; SigV4 allows fifteen).</summary>
        private static readonly TimeSpan SkewThreshold = TimeSpan.FromMinutes(5);
        /// <summary>Server time minus local time, per endpoint, for the whole process (like AWSSDK.Core's CorrectClockSkew).</summary>
        private static readonly ConcurrentDictionary<string, TimeSpan> ClockOffsets = new ConcurrentDictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        private static readonly string[] ClockSkewCodes = { "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture" };
        private static readonly string[] SignatureCodes = { "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure" };

        private readonly SocketsHttpHandler sockets;
        private readonly AWSCredentials credentials;
        private readonly string signingName;

        /// <param name="options">The common AWS parameters.</param>
        /// <param name="signingName">SigV4 service name, e.g. cloudfront, elasticache, monitoring.</param>
        /// <param name="environmentName">Suffix of AWS_ENDPOINT_URL_&lt;NAME&gt;.</param>
        /// <param name="defaultEndpoint">The real AWS endpoint for a region.</param>
        /// <param name="signingRegion">A fixed signing region for global services (CloudFront: us-east-1).</param>
        public SignedServiceClient(AwsOptions options, string signingName, string environmentName,
            Func<RegionEndpoint, string> defaultEndpoint, RegionEndpoint signingRegion = null)
        {
            this.signingName = signingName;
            Region = AwsEnvironment.ResolveRegion(options);
            SigningRegion = signingRegion ?? Region;
            string endpoint = AwsEnvironment.ResolveEndpoint(options, environmentName) ?? defaultEndpoint(Region);
            BaseUri = new Uri(endpoint.TrimEnd('/') + "/");
            credentials = AwsEnvironment.ResolveCredentials(options);
            // SigV4 signs one host: a redirect must come back to us as an error, never be followed with stale headers.
            sockets = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        }

        public RegionEndpoint Region { get; }
        public RegionEndpoint SigningRegion { get; }
        public Uri BaseUri { get; }

        /// <summary>Optional observer of every request body sent (tests and diagnostics; never logs credentials).</summary>
        public Action<HttpMethod, string, string> RequestObserver { get; set; }

        /// <summary>Sends a request (rebuilt per attempt) and returns the successful response; errors become AmazonServiceException.</summary>
        public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> buildRequest, CancellationToken cancellation)
        {
            bool skewCorrected = false;
            for (int attempt = 1; ; attempt++)
            {
                using HttpRequestMessage request = buildRequest();
                string log = Environment.GetEnvironmentVariable(RequestLog.Variable);
                if (RequestObserver != null || !string.IsNullOrWhiteSpace(log))
                {
                    string sent = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                    if (RequestObserver != null && sent != null) RequestObserver(request.Method, request.RequestUri?.ToString(), sent);
                    if (!string.IsNullOrWhiteSpace(log)) RequestLog.Append(log, signingName, SigningRegion.SystemName, request, sent);
                }
                HttpResponseMessage response;
                try
                {
                    response = await SignAndSendAsync(request, cancellation).ConfigureAwait(false);
                }
                catch (HttpRequestException ex) when (attempt < MaxAttempts)
                {
                    // A dropped connection or a refused one during a restart: retried like a 5xx.
                    await Backoff(attempt, ex.GetType().Name, cancellation).ConfigureAwait(false);
                    continue;
                }
                if (response.IsSuccessStatusCode) return response;

                int status = (int)response.StatusCode;
                if (status >= 300 && status < 400)
                {
                    string location = response.Headers.Location?.ToString() ?? "(no Location header)";
                    string redirectRequestId = FirstHeader(response, "x-amzn-RequestId") ?? FirstHeader(response, "x-amz-request-id");
                    response.Dispose();
                    throw new AmazonServiceException(
                        $"The endpoint {BaseUri.GetLeftPart(UriPartial.Authority)} answered HTTP {status} redirecting to {location}; redirects are not followed because a SigV4 signature is valid for one host only. Check -Region and -EndpointUrl (AWS_ENDPOINT_URL).",
                        null, ErrorType.Sender, "HttpRedirect" + status, redirectRequestId, (HttpStatusCode)status);
                }

                string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                AmazonServiceException error = ParseError(body, response);
                DateTime? serverTime = response.Headers.Date?.UtcDateTime;
                response.Dispose();
                if (!skewCorrected && IsClockSkewError(error) && TryCorrectClock(serverTime))
                {
                    // Signed again with the corrected clock, once, without waiting (AWSSDK.Core does the same).
                    skewCorrected = true;
                    attempt--;
                    continue;
                }
                if (attempt < MaxAttempts && AwsErrors.IsRetryable(error.ErrorCode ?? "", (int)error.StatusCode))
                {
                    await Backoff(attempt, error.ErrorCode, cancellation).ConfigureAwait(false);
                    continue;
                }
                throw error;
            }
        }

        /// <summary>Signs with the clock corrected for this endpoint and sends, bounded by the request timeout.</summary>
        private async Task<HttpResponseMessage> SignAndSendAsync(HttpRequestMessage request, CancellationToken cancellation)
        {
            var parameters = new AWSSigV4Parameters
            {
                Credentials = credentials,
                Region = SigningRegion,
                Service = signingName,
                SignedAt = DateTime.UtcNow + ClockOffset,
            };
            // The signing handler is cheap and per request (its signing time differs); the socket pool is shared.
            using var invoker = new HttpMessageInvoker(new SigV4SigningHandler(parameters, sockets), disposeHandler: false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                return await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellation.IsCancellationRequested)
            {
                throw new HttpRequestException($"no answer within {RequestTimeout.TotalSeconds:0} s", ex);
            }
        }

        private string EndpointKey => BaseUri.GetLeftPart(UriPartial.Authority);

        /// <summary>The correction in force for this endpoint (server time minus local time).</summary>
        public TimeSpan ClockOffset => ClockOffsets.TryGetValue(EndpointKey, out TimeSpan offset) ? offset : TimeSpan.Zero;

        private static bool IsClockSkewError(AmazonServiceException error)
        {
            string code = error.ErrorCode ?? "";
            if (ClockSkewCodes.Contains(code)) return true;
            string message = error.Message ?? "";
            return SignatureCodes.Contains(code)
                && (message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase)
                    || message.Contains("Signature not yet current", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>Records server time minus local time when the server's clock differs by more than the threshold.</summary>
        private bool TryCorrectClock(DateTime? serverTime)
        {
            if (serverTime == null) return false;
            TimeSpan offset = serverTime.Value - DateTime.UtcNow;
            if ((offset - ClockOffset).Duration() < SkewThreshold) return false;
            ClockOffsets[EndpointKey] = offset;
            string log = Environment.GetEnvironmentVariable(RequestLog.Variable);
            if (!string.IsNullOrWhiteSpace(log)) RequestLog.AppendEvent(log, signingName, "clock-skew", new Dictionary<string, object> { ["offsetSeconds"] = Math.Round(offset.TotalSeconds) });
            return true;
        }

        /// <summary>Sends and parses an XML response body.</summary>
        public async Task<(XDocument Body, HttpResponseMessage Response)> SendXmlAsync(Func<HttpRequestMessage> buildRequest, CancellationToken cancellation)
        {
            HttpResponseMessage response = await SendAsync(buildRequest, cancellation).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return (string.IsNullOrWhiteSpace(text) ? null : XDocument.Parse(text), response);
        }

        public Uri Resolve(string relative) => new Uri(BaseUri, relative.TrimStart('/'));

        /// <summary>
        /// Full jitter (the AWS SDKs' standard retry mode): a random wait between zero and min(base × 2^(attempt-1),
        /// 20 × base), the base being 1 s (ECOM_AWS_RETRY_BASE_MS shortens it for tests only).
        /// </summary>
        internal static (TimeSpan Delay, TimeSpan Cap) RetryDelay(int attempt)
        {
            double baseMs = RetryBaseMs();
            double capMs = Math.Min(baseMs * MaxBackoffFactor, baseMs * Math.Pow(2, attempt - 1));
            return (TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * capMs), TimeSpan.FromMilliseconds(capMs));
        }

        /// <summary>The backoff base: 1 s, or the test-only override (1 to 1000 ms).</summary>
        internal static double RetryBaseMs()
        {
            string text = Environment.GetEnvironmentVariable(RetryBaseVariable);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 1 && value <= DefaultRetryBaseMs
                ? value : DefaultRetryBaseMs;
        }

        private Task Backoff(int attempt, string reason, CancellationToken cancellation)
        {
            var (delay, cap) = RetryDelay(attempt);
            string log = Environment.GetEnvironmentVariable(RequestLog.Variable);
            if (!string.IsNullOrWhiteSpace(log))
                RequestLog.AppendEvent(log, signingName, "retry", new Dictionary<string, object>
                {
                    ["attempt"] = attempt, ["error"] = reason, ["delayMs"] = Math.Round(delay.TotalMilliseconds, 1),
                    ["capMs"] = cap.TotalMilliseconds, ["baseMs"] = RetryBaseMs(), ["maxMs"] = RetryBaseMs() * MaxBackoffFactor,
                });
            return Task.Delay(delay, cancellation);
        }

        private static AmazonServiceException ParseError(string body, HttpResponseMessage response)
        {
            string code = null, message = null, requestId = null, type = null;
            try
            {
                XElement root = XDocument.Parse(body).Root;
                XElement error = root?.Name.LocalName == "Error" ? root : root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
                type = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Type")?.Value;
                requestId = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            }
            catch (System.Xml.XmlException) { } // not XML (a proxy page, an empty 5xx): fall back to the status line
            requestId ??= FirstHeader(response, "x-amzn-RequestId") ?? FirstHeader(response, "x-amz-request-id");
            code ??= response.StatusCode == HttpStatusCode.TooManyRequests ? "Throttling" : "HttpStatus" + (int)response.StatusCode;
            message ??= response.ReasonPhrase ?? "The service returned an error.";
            var errorType = type == "Sender" || (int)response.StatusCode < 500 ? ErrorType.Sender : ErrorType.Receiver;
            return new AmazonServiceException(message, null, errorType, code, requestId, response.StatusCode);
        }

        private static string FirstHeader(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out IEnumerable<string> values) ? values.FirstOrDefault() : null;

        public void Dispose() => sockets.Dispose();
    }

    /// <summary>AWS Query protocol (Action=...&amp;Version=...) on top of <see cref="SignedServiceClient"/>; used by ElastiCache and CloudWatch.</summary>
    internal sealed class QueryProtocolClient : IDisposable
    {
        private readonly SignedServiceClient transport;
        private readonly string version;

        public QueryProtocolClient(SignedServiceClient transport, string version)
        {
            this.transport = transport;
            this.version = version;
        }

        public SignedServiceClient Transport => transport;

        /// <summary>Calls an action and returns its &lt;ActionResult&gt; element (namespace stripped of nothing: compare by LocalName).</summary>
        public async Task<XElement> InvokeAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellation)
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("Action", action),
                new KeyValuePair<string, string>("Version", version),
            };
            form.AddRange(parameters.Where(p => p.Value != null));
            string body = string.Join("&", form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
            var (document, response) = await transport.SendXmlAsync(() => new HttpRequestMessage(HttpMethod.Post, transport.BaseUri)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
            }, cancellation).ConfigureAwait(false);
            response.Dispose();
            return document?.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? new XElement(action + "Result");
        }

        public void Dispose() => transport.Dispose();
    }

    /// <summary>Small helpers to read AWS XML by local name (responses carry service namespaces).</summary>
    internal static class XmlRead
    {
        public static XElement Child(this XElement element, string localName) =>
            element?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

        public static IEnumerable<XElement> Children(this XElement element, string localName) =>
            element?.Elements().Where(e => e.Name.LocalName == localName) ?? Enumerable.Empty<XElement>();

        public static string Text(this XElement element, string localName) => element.Child(localName)?.Value;

        /// <summary>The items of an AWS list wrapper (&lt;Items&gt;&lt;member/&gt;&lt;/Items&gt; or &lt;Items&gt;&lt;X/&gt;&lt;/Items&gt;).</summary>
        public static IEnumerable<XElement> Items(this XElement element, string wrapper) =>
            element.Child(wrapper)?.Elements() ?? Enumerable.Empty<XElement>();
    }
}
