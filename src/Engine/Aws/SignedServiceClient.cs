using System;
using System.Collections.Generic;
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
    /// signer, its credential and region resolution, the endpoint override rules, retries of throttling and 5xx
    /// with exponential backoff and jitter, and AWS error XML turned into <see cref="AmazonServiceException"/>
    /// (the same exception the real SDK packages throw, so callers survive the swap).
    /// </summary>
    internal sealed class SignedServiceClient : IDisposable
    {
        private const int MaxAttempts = 5;
        private readonly HttpClient http;
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
            AWSCredentials credentials = AwsEnvironment.ResolveCredentials(options);
            http = new HttpClient(new SigV4SigningHandler(credentials, SigningRegion, signingName, new SocketsHttpHandler()))
            {
                Timeout = TimeSpan.FromSeconds(100),
            };
        }

        public RegionEndpoint Region { get; }
        public RegionEndpoint SigningRegion { get; }
        public Uri BaseUri { get; }

        /// <summary>Optional observer of every request body sent (tests and diagnostics; never logs credentials).</summary>
        public Action<HttpMethod, string, string> RequestObserver { get; set; }

        /// <summary>Sends a request (rebuilt per attempt) and returns the successful response; errors become AmazonServiceException.</summary>
        public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> buildRequest, CancellationToken cancellation)
        {
            for (int attempt = 1; ; attempt++)
            {
                using HttpRequestMessage request = buildRequest();
                string log = Environment.GetEnvironmentVariable(RequestLog.Variable);
                if (RequestObserver != null || !string.IsNullOrWhiteSpace(log))
                {
                    string sent = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                    if (RequestObserver != null && sent != null) RequestObserver(request.Method, request.RequestUri?.ToString(), sent);
                    if (!string.IsNullOrWhiteSpace(log)) RequestLog.Append(log, signingName, request, sent);
                }
                HttpResponseMessage response;
                try
                {
                    response = await http.SendAsync(request, cancellation).ConfigureAwait(false);
                }
                catch (HttpRequestException) when (attempt < MaxAttempts)
                {
                    // A dropped connection or a refused one during a restart: retried like a 5xx.
                    await Backoff(attempt, cancellation).ConfigureAwait(false);
                    continue;
                }
                if (response.IsSuccessStatusCode) return response;

                string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                AmazonServiceException error = ParseError(body, response);
                response.Dispose();
                if (attempt < MaxAttempts && AwsErrors.IsRetryable(error.ErrorCode ?? "", (int)error.StatusCode))
                {
                    await Backoff(attempt, cancellation).ConfigureAwait(false);
                    continue;
                }
                throw error;
            }
        }

        /// <summary>Sends and parses an XML response body.</summary>
        public async Task<(XDocument Body, HttpResponseMessage Response)> SendXmlAsync(Func<HttpRequestMessage> buildRequest, CancellationToken cancellation)
        {
            HttpResponseMessage response = await SendAsync(buildRequest, cancellation).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return (string.IsNullOrWhiteSpace(text) ? null : XDocument.Parse(text), response);
        }

        public Uri Resolve(string relative) => new Uri(BaseUri, relative.TrimStart('/'));

        private static Task Backoff(int attempt, CancellationToken cancellation)
        {
            // Full jitter: a random wait up to an exponentially growing cap (100 ms, 200 ms, ... max 5 s).
            double cap = Math.Min(5000, 100 * Math.Pow(2, attempt - 1));
            return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap + 20), cancellation);
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

        public void Dispose() => http.Dispose();
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
