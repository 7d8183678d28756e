using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using Amazon.Runtime;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.CloudFront
{
    // Typed shapes of the CloudFront 2020-05-31 REST-XML API, limited to the members EcommerceAws uses.
    // Element order follows the botocore model: CloudFront validates requests against an ordered schema.

    internal static class Cf
    {
        internal static readonly XNamespace Ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
        internal static XElement E(string name, params object[] content) => new XElement(Ns + name, content);
        internal static string Bool(bool value) => value ? "true" : "false";
        internal static bool ReadBool(XElement parent, string name) => string.Equals(parent.Text(name), "true", StringComparison.OrdinalIgnoreCase);
        internal static DateTime? ReadTime(XElement parent, string name) =>
            DateTime.TryParse(parent.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t) ? t : null;
        internal static XElement List(string wrapper, string item, IReadOnlyCollection<string> values) =>
            E(wrapper, E("Quantity", values.Count), values.Count > 0 ? E("Items", values.Select(v => E(item, v))) : null);
        internal static string[] ReadList(XElement parent, string wrapper) =>
            parent.Child(wrapper).Items("Items").Select(e => e.Value).ToArray();
    }

    /// <summary>A CloudFront error (code, message, request id) from the service's error XML.</summary>
    internal sealed class CloudFrontException : AmazonServiceException
    {
        public CloudFrontException(AmazonServiceException inner)
            : base(inner.Message, inner, inner.ErrorType, inner.ErrorCode, inner.RequestId, inner.StatusCode) { }

        public bool IsNotFound => ErrorCode is "NoSuchDistribution" or "NoSuchOriginAccessControl" or "NoSuchInvalidation" || (int)StatusCode == 404;
    }

    internal sealed class OriginAccessControlConfig
    {
        public string Name { get; set; }
        public string Description { get; set; }
        public string SigningProtocol { get; set; } = "sigv4";
        public string SigningBehavior { get; set; } = "always";
        public string OriginAccessControlOriginType { get; set; } = "s3";

        internal XElement ToXml() => Cf.E("OriginAccessControlConfig",
            Cf.E("Name", Name), Cf.E("Description", Description ?? string.Empty), Cf.E("SigningProtocol", SigningProtocol),
            Cf.E("SigningBehavior", SigningBehavior), Cf.E("OriginAccessControlOriginType", OriginAccessControlOriginType));

        internal static OriginAccessControlConfig FromXml(XElement e) => e == null ? null : new OriginAccessControlConfig
        {
            Name = e.Text("Name"), Description = e.Text("Description"), SigningProtocol = e.Text("SigningProtocol"),
            SigningBehavior = e.Text("SigningBehavior"), OriginAccessControlOriginType = e.Text("OriginAccessControlOriginType"),
        };
    }

    internal sealed class OriginAccessControl
    {
        public string Id { get; set; }
        public OriginAccessControlConfig Config { get; set; }
        public string ETag { get; set; }

        internal static OriginAccessControl FromXml(XElement e, string etag) => new OriginAccessControl
        {
            Id = e.Text("Id"),
            // list summaries carry the config members inline; Get/Create wrap them in OriginAccessControlConfig
            Config = OriginAccessControlConfig.FromXml(e.Child("OriginAccessControlConfig") ?? e),
            ETag = etag,
        };
    }

    internal sealed class CloudFrontOrigin
    {
        public string Id { get; set; }
        public string DomainName { get; set; }
        public string OriginPath { get; set; } = string.Empty;
        /// <summary>Empty for an origin reached through an Origin Access Control (no legacy OAI).</summary>
        public string S3OriginAccessIdentity { get; set; } = string.Empty;
        public string OriginAccessControlId { get; set; }

        internal XElement ToXml() => Cf.E("Origin",
            Cf.E("Id", Id), Cf.E("DomainName", DomainName), Cf.E("OriginPath", OriginPath ?? string.Empty),
            // explicit empty element: moto answers 500 to a self-closing <S3OriginConfig/>
            Cf.E("S3OriginConfig", Cf.E("OriginAccessIdentity", S3OriginAccessIdentity ?? string.Empty)),
            OriginAccessControlId != null ? Cf.E("OriginAccessControlId", OriginAccessControlId) : null);

        internal static CloudFrontOrigin FromXml(XElement e) => new CloudFrontOrigin
        {
            Id = e.Text("Id"), DomainName = e.Text("DomainName"), OriginPath = e.Text("OriginPath") ?? string.Empty,
            S3OriginAccessIdentity = e.Child("S3OriginConfig")?.Text("OriginAccessIdentity"),
            OriginAccessControlId = string.IsNullOrEmpty(e.Text("OriginAccessControlId")) ? null : e.Text("OriginAccessControlId"),
        };
    }

    internal sealed class DefaultCacheBehavior
    {
        public string TargetOriginId { get; set; }
        public string ViewerProtocolPolicy { get; set; } = "redirect-to-https";
        public string[] AllowedMethods { get; set; } = { "GET", "HEAD" };
        public string[] CachedMethods { get; set; } = { "GET", "HEAD" };
        public bool Compress { get; set; } = true;
        public string CachePolicyId { get; set; }

        internal XElement ToXml() => Cf.E("DefaultCacheBehavior",
            Cf.E("TargetOriginId", TargetOriginId),
            Cf.E("ViewerProtocolPolicy", ViewerProtocolPolicy),
            Cf.E("AllowedMethods", Cf.E("Quantity", AllowedMethods.Length), Cf.E("Items", AllowedMethods.Select(m => Cf.E("Method", m))),
                Cf.List("CachedMethods", "Method", CachedMethods)),
            Cf.E("Compress", Cf.Bool(Compress)),
            CachePolicyId != null ? Cf.E("CachePolicyId", CachePolicyId) : null);

        internal static DefaultCacheBehavior FromXml(XElement e) => e == null ? null : new DefaultCacheBehavior
        {
            TargetOriginId = e.Text("TargetOriginId"), ViewerProtocolPolicy = e.Text("ViewerProtocolPolicy"),
            AllowedMethods = Cf.ReadList(e, "AllowedMethods"),
            CachedMethods = Cf.ReadList(e.Child("AllowedMethods"), "CachedMethods"),
            Compress = Cf.ReadBool(e, "Compress"), CachePolicyId = e.Text("CachePolicyId"),
        };
    }

    internal sealed class ViewerCertificate
    {
        public string AcmCertificateArn { get; set; }

        internal XElement ToXml() => AcmCertificateArn == null
            ? Cf.E("ViewerCertificate", Cf.E("CloudFrontDefaultCertificate", "true"))
            : Cf.E("ViewerCertificate", Cf.E("CloudFrontDefaultCertificate", "false"), Cf.E("ACMCertificateArn", AcmCertificateArn),
                Cf.E("SSLSupportMethod", "sni-only"), Cf.E("MinimumProtocolVersion", "TLSv1.2_2021"));
    }

    /// <summary>
    /// A distribution's configuration. A config read from CloudFront keeps its source XML, so an update sends back
    /// every member (including ones this type does not model) with only the changed ones replaced.
    /// </summary>
    internal sealed class DistributionConfig
    {
        public string CallerReference { get; set; }
        public string[] Aliases { get; set; } = Array.Empty<string>();
        public string DefaultRootObject { get; set; } = string.Empty;
        public List<CloudFrontOrigin> Origins { get; set; } = new List<CloudFrontOrigin>();
        public DefaultCacheBehavior DefaultCacheBehavior { get; set; }
        public string Comment { get; set; } = string.Empty;
        public string PriceClass { get; set; } = "PriceClass_All";
        public bool Enabled { get; set; } = true;
        public ViewerCertificate ViewerCertificate { get; set; } = new ViewerCertificate();
        public string HttpVersion { get; set; } = "http2and3";
        public bool IsIPV6Enabled { get; set; } = true;
        internal XElement Source { get; private set; }

        internal XElement ToXml()
        {
            if (Source != null)
            {
                var copy = new XElement(Source);
                copy.Name = Cf.Ns + "DistributionConfig";
                foreach (XElement element in copy.DescendantsAndSelf()) element.Name = Cf.Ns + element.Name.LocalName;
                copy.Child("Enabled")?.SetValue(Cf.Bool(Enabled));
                copy.Child("Comment")?.SetValue(Comment ?? string.Empty);
                return copy;
            }
            return Cf.E("DistributionConfig",
                Cf.E("CallerReference", CallerReference),
                Cf.List("Aliases", "CNAME", Aliases ?? Array.Empty<string>()),
                Cf.E("DefaultRootObject", DefaultRootObject ?? string.Empty),
                Cf.E("Origins", Cf.E("Quantity", Origins.Count), Cf.E("Items", Origins.Select(o => o.ToXml()))),
                DefaultCacheBehavior.ToXml(),
                Cf.E("Comment", Comment ?? string.Empty),
                Cf.E("PriceClass", PriceClass),
                Cf.E("Enabled", Cf.Bool(Enabled)),
                (ViewerCertificate ?? new ViewerCertificate()).ToXml(),
                Cf.E("HttpVersion", HttpVersion),
                Cf.E("IsIPV6Enabled", Cf.Bool(IsIPV6Enabled)));
        }

        internal static DistributionConfig FromXml(XElement e) => e == null ? null : new DistributionConfig
        {
            CallerReference = e.Text("CallerReference"),
            Aliases = Cf.ReadList(e, "Aliases"),
            DefaultRootObject = e.Text("DefaultRootObject") ?? string.Empty,
            Origins = e.Child("Origins").Items("Items").Select(CloudFrontOrigin.FromXml).ToList(),
            DefaultCacheBehavior = DefaultCacheBehavior.FromXml(e.Child("DefaultCacheBehavior")),
            Comment = e.Text("Comment") ?? string.Empty,
            PriceClass = e.Text("PriceClass"),
            Enabled = Cf.ReadBool(e, "Enabled"),
            ViewerCertificate = new ViewerCertificate { AcmCertificateArn = string.IsNullOrEmpty(e.Child("ViewerCertificate")?.Text("ACMCertificateArn")) ? null : e.Child("ViewerCertificate").Text("ACMCertificateArn") },
            HttpVersion = e.Text("HttpVersion"),
            IsIPV6Enabled = Cf.ReadBool(e, "IsIPV6Enabled"),
            Source = new XElement(e),
        };
    }

    internal sealed class Distribution
    {
        public string Id { get; set; }
        public string ARN { get; set; }
        public string Status { get; set; }
        public string DomainName { get; set; }
        public DateTime? LastModifiedTime { get; set; }
        public DistributionConfig DistributionConfig { get; set; }
        public string ETag { get; set; }

        internal static Distribution FromXml(XElement e, string etag) => new Distribution
        {
            Id = e.Text("Id"), ARN = e.Text("ARN"), Status = e.Text("Status"), DomainName = e.Text("DomainName"),
            LastModifiedTime = Cf.ReadTime(e, "LastModifiedTime"),
            DistributionConfig = DistributionConfig.FromXml(e.Child("DistributionConfig")),
            ETag = etag,
        };
    }

    internal sealed class DistributionSummary
    {
        public string Id { get; set; }
        public string ARN { get; set; }
        public string Status { get; set; }
        public string DomainName { get; set; }
        public string Comment { get; set; }
        public bool Enabled { get; set; }
        public string[] OriginDomainNames { get; set; } = Array.Empty<string>();

        internal static DistributionSummary FromXml(XElement e) => new DistributionSummary
        {
            Id = e.Text("Id"), ARN = e.Text("ARN"), Status = e.Text("Status"), DomainName = e.Text("DomainName"),
            Comment = e.Text("Comment"), Enabled = Cf.ReadBool(e, "Enabled"),
            OriginDomainNames = e.Child("Origins").Items("Items").Select(o => o.Text("DomainName")).ToArray(),
        };
    }

    internal sealed class Invalidation
    {
        public string Id { get; set; }
        public string Status { get; set; }
        public DateTime? CreateTime { get; set; }
        public string[] Paths { get; set; } = Array.Empty<string>();
        public string CallerReference { get; set; }

        internal static Invalidation FromXml(XElement e) => new Invalidation
        {
            Id = e.Text("Id"), Status = e.Text("Status"), CreateTime = Cf.ReadTime(e, "CreateTime"),
            Paths = Cf.ReadList(e.Child("InvalidationBatch"), "Paths"),
            CallerReference = e.Child("InvalidationBatch")?.Text("CallerReference"),
        };
    }

    /// <summary>One page of a CloudFront list call.</summary>
    internal sealed class CloudFrontPage<T>
    {
        public List<T> Items { get; set; } = new List<T>();
        public string NextMarker { get; set; }
        public bool IsTruncated { get; set; }
    }
}
