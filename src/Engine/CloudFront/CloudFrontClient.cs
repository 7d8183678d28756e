using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.CloudFront
{
    /// <summary>The CloudFront operations EcommerceAws uses, named as in AWSSDK.CloudFront's IAmazonCloudFront (which is not obtainable).</summary>
    internal interface ICloudFrontClient : IDisposable
    {
        Task<OriginAccessControl> CreateOriginAccessControlAsync(OriginAccessControlConfig config, CancellationToken cancellation);
        Task<CloudFrontPage<OriginAccessControl>> ListOriginAccessControlsAsync(string marker, CancellationToken cancellation);
        Task<OriginAccessControl> GetOriginAccessControlAsync(string id, CancellationToken cancellation);
        Task DeleteOriginAccessControlAsync(string id, string ifMatch, CancellationToken cancellation);
        Task<Distribution> CreateDistributionWithTagsAsync(DistributionConfig config, IDictionary<string, string> tags, CancellationToken cancellation);
        Task<Distribution> GetDistributionAsync(string id, CancellationToken cancellation);
        Task<(DistributionConfig Config, string ETag)> GetDistributionConfigAsync(string id, CancellationToken cancellation);
        Task<Distribution> UpdateDistributionAsync(string id, DistributionConfig config, string ifMatch, CancellationToken cancellation);
        Task DeleteDistributionAsync(string id, string ifMatch, CancellationToken cancellation);
        Task<CloudFrontPage<DistributionSummary>> ListDistributionsAsync(string marker, CancellationToken cancellation);
        Task<Invalidation> CreateInvalidationAsync(string distributionId, string[] paths, string callerReference, CancellationToken cancellation);
        Task<Invalidation> GetInvalidationAsync(string distributionId, string id, CancellationToken cancellation);
    }

    /// <summary>
    /// Typed REST-XML client for CloudFront 2020-05-31 on <see cref="SignedServiceClient"/> (SigV4 for service
    /// cloudfront in us-east-1, endpoint overrides, retries, error XML). Set ECOM_CLOUDFRONT_REQUEST_LOG to a file
    /// path to append every request body sent (the XML only; signatures and credentials are headers, never logged).
    /// </summary>
    internal sealed class CloudFrontClient : ICloudFrontClient
    {
        public const string RequestLogVariable = "ECOM_CLOUDFRONT_REQUEST_LOG";
        private const string Version = "2020-05-31";
        private static readonly object LogLock = new object();
        private readonly SignedServiceClient transport;

        public CloudFrontClient(AwsOptions options)
        {
            // CloudFront per partition: global in aws (signed for us-east-1), its own service in China, absent in GovCloud.
            RegionEndpoint region = AwsEnvironment.ResolveRegion(options);
            AwsPartition partition = AwsPartition.Of(region);
            var cloudFront = partition.CloudFront ?? throw partition.CloudFrontUnavailable(region.SystemName);
            transport = new SignedServiceClient(options, "cloudfront", "CLOUDFRONT", _ => cloudFront.Endpoint, cloudFront.SigningRegion);
            string log = Environment.GetEnvironmentVariable(RequestLogVariable);
            if (!string.IsNullOrWhiteSpace(log))
                transport.RequestObserver = (method, uri, body) =>
                {
                    lock (LogLock) File.AppendAllText(log, $"### {method} {uri}\n{body}\n");
                };
        }

        public async Task<OriginAccessControl> CreateOriginAccessControlAsync(OriginAccessControlConfig config, CancellationToken cancellation)
        {
            var (body, etag) = await Send(HttpMethod.Post, "origin-access-control", config.ToXml(), null, cancellation).ConfigureAwait(false);
            return OriginAccessControl.FromXml(body, etag);
        }

        public async Task<CloudFrontPage<OriginAccessControl>> ListOriginAccessControlsAsync(string marker, CancellationToken cancellation)
        {
            var (body, _) = await Send(HttpMethod.Get, "origin-access-control" + MarkerQuery(marker), null, null, cancellation).ConfigureAwait(false);
            return Page(body, e => OriginAccessControl.FromXml(e, null));
        }

        public async Task<OriginAccessControl> GetOriginAccessControlAsync(string id, CancellationToken cancellation)
        {
            var (body, etag) = await Send(HttpMethod.Get, "origin-access-control/" + Uri.EscapeDataString(id), null, null, cancellation).ConfigureAwait(false);
            return OriginAccessControl.FromXml(body, etag);
        }

        public Task DeleteOriginAccessControlAsync(string id, string ifMatch, CancellationToken cancellation) =>
            Send(HttpMethod.Delete, "origin-access-control/" + Uri.EscapeDataString(id), null, ifMatch, cancellation);

        public async Task<Distribution> CreateDistributionWithTagsAsync(DistributionConfig config, IDictionary<string, string> tags, CancellationToken cancellation)
        {
            XElement request = Cf.E("DistributionConfigWithTags", config.ToXml(),
                Cf.E("Tags", Cf.E("Items", (tags ?? new Dictionary<string, string>()).Select(t => Cf.E("Tag", Cf.E("Key", t.Key), Cf.E("Value", t.Value))))));
            var (body, etag) = await Send(HttpMethod.Post, "distribution?WithTags", request, null, cancellation).ConfigureAwait(false);
            return Distribution.FromXml(body, etag);
        }

        public async Task<Distribution> GetDistributionAsync(string id, CancellationToken cancellation)
        {
            var (body, etag) = await Send(HttpMethod.Get, "distribution/" + Uri.EscapeDataString(id), null, null, cancellation).ConfigureAwait(false);
            return Distribution.FromXml(body, etag);
        }

        public async Task<(DistributionConfig Config, string ETag)> GetDistributionConfigAsync(string id, CancellationToken cancellation)
        {
            var (body, etag) = await Send(HttpMethod.Get, $"distribution/{Uri.EscapeDataString(id)}/config", null, null, cancellation).ConfigureAwait(false);
            return (DistributionConfig.FromXml(body), etag);
        }

        public async Task<Distribution> UpdateDistributionAsync(string id, DistributionConfig config, string ifMatch, CancellationToken cancellation)
        {
            var (body, etag) = await Send(HttpMethod.Put, $"distribution/{Uri.EscapeDataString(id)}/config", config.ToXml(), ifMatch, cancellation).ConfigureAwait(false);
            return Distribution.FromXml(body, etag);
        }

        public Task DeleteDistributionAsync(string id, string ifMatch, CancellationToken cancellation) =>
            Send(HttpMethod.Delete, "distribution/" + Uri.EscapeDataString(id), null, ifMatch, cancellation);

        public async Task<CloudFrontPage<DistributionSummary>> ListDistributionsAsync(string marker, CancellationToken cancellation)
        {
            var (body, _) = await Send(HttpMethod.Get, "distribution" + MarkerQuery(marker), null, null, cancellation).ConfigureAwait(false);
            return Page(body, DistributionSummary.FromXml);
        }

        public async Task<Invalidation> CreateInvalidationAsync(string distributionId, string[] paths, string callerReference, CancellationToken cancellation)
        {
            XElement request = Cf.E("InvalidationBatch", Cf.List("Paths", "Path", paths), Cf.E("CallerReference", callerReference));
            var (body, _) = await Send(HttpMethod.Post, $"distribution/{Uri.EscapeDataString(distributionId)}/invalidation", request, null, cancellation).ConfigureAwait(false);
            return Invalidation.FromXml(body);
        }

        public async Task<Invalidation> GetInvalidationAsync(string distributionId, string id, CancellationToken cancellation)
        {
            var (body, _) = await Send(HttpMethod.Get, $"distribution/{Uri.EscapeDataString(distributionId)}/invalidation/{Uri.EscapeDataString(id)}", null, null, cancellation).ConfigureAwait(false);
            return Invalidation.FromXml(body);
        }

        private async Task<(XElement Body, string ETag)> Send(HttpMethod method, string path, XElement content, string ifMatch, CancellationToken cancellation)
        {
            string xml = content == null ? null : new XDocument(new XDeclaration("1.0", "UTF-8", null), content).Declaration + content.ToString(SaveOptions.DisableFormatting);
            HttpRequestMessage Build()
            {
                var request = new HttpRequestMessage(method, transport.Resolve(Version + "/" + path));
                if (xml != null) request.Content = new StringContent(xml, Encoding.UTF8, "application/xml");
                if (ifMatch != null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                return request;
            }
            try
            {
                var (document, response) = await transport.SendXmlAsync(Build, cancellation).ConfigureAwait(false);
                using (response)
                {
                    // CloudFront (and moto) send the ETag unquoted, which the typed header parser rejects
                    string etag = response.Headers.NonValidated.TryGetValues("ETag", out var values) ? values.ToString().Trim('"') : null;
                    return (document?.Root, etag);
                }
            }
            catch (AmazonServiceException ex) when (ex is not CloudFrontException)
            {
                throw new CloudFrontException(ex);
            }
        }

        private static string MarkerQuery(string marker) => string.IsNullOrEmpty(marker) ? "" : "?Marker=" + Uri.EscapeDataString(marker);

        private static CloudFrontPage<T> Page<T>(XElement list, Func<XElement, T> read) => new CloudFrontPage<T>
        {
            Items = list.Items("Items").Select(read).ToList(),
            NextMarker = list.Text("NextMarker"),
            IsTruncated = Cf.ReadBool(list, "IsTruncated"),
        };

        public void Dispose() => transport.Dispose();
    }
}
