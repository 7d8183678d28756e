using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.CloudFront;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// Brings an existing distribution to the settings New-AssetCdn owns by editing the config XML CloudFront returned:
    /// every member we do not own goes back exactly as read. Members are inserted in the botocore model's order,
    /// because CloudFront validates update bodies against an ordered schema.
    /// </summary>
    internal sealed class DistributionConvergence
    {
        private static readonly string[] ConfigOrder =
        {
            "CallerReference", "Aliases", "DefaultRootObject", "Origins", "OriginGroups", "DefaultCacheBehavior", "CacheBehaviors",
            "CustomErrorResponses", "Comment", "Logging", "PriceClass", "Enabled", "ViewerCertificate", "Restrictions", "WebACLId",
            "HttpVersion", "IsIPV6Enabled", "ContinuousDeploymentPolicyId", "Staging", "AnycastIpListId", "TenantConfig", "ConnectionMode",
        };
        private static readonly string[] OriginOrder =
        {
            "Id", "DomainName", "OriginPath", "CustomHeaders", "S3OriginConfig", "CustomOriginConfig", "VpcOriginConfig",
            "ConnectionAttempts", "ConnectionTimeout", "ResponseCompletionTimeout", "OriginShield", "OriginAccessControlId",
        };
        private static readonly string[] BehaviorOrder =
        {
            "TargetOriginId", "TrustedSigners", "TrustedKeyGroups", "ViewerProtocolPolicy", "AllowedMethods", "SmoothStreaming", "Compress",
            "LambdaFunctionAssociations", "FunctionAssociations", "FieldLevelEncryptionId", "RealtimeLogConfigArn", "CachePolicyId",
            "OriginRequestPolicyId", "ResponseHeadersPolicyId", "GrpcConfig", "ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL",
        };
        // CloudFront refuses a behaviour with both a cache policy and the legacy cache settings.
        private static readonly string[] LegacyCacheSettings = { "ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL" };

        private readonly XElement config;

        private DistributionConvergence(XElement config) => this.config = config;

        /// <summary>What differs, one "Member: old -> new" line each; empty when the distribution already matches.</summary>
        public List<string> Changes { get; } = new List<string>();

        /// <summary>Notes on members that could not be compared (not counted as changes).</summary>
        public List<string> Notes { get; } = new List<string>();

        /// <summary>The edited config to send with UpdateDistribution (meaningful only when there are changes).</summary>
        public DistributionConfig Result => DistributionConfig.FromXml(config);

        /// <summary>Compares <paramref name="current"/> with what <paramref name="spec"/> asks; null spec members keep the current value.</summary>
        public static DistributionConvergence Plan(DistributionConfig current, CdnSpec spec, string originDomain, string oacId)
        {
            var plan = new DistributionConvergence(new XElement(current.ToXml()));
            plan.Converge(spec, originDomain, oacId);
            return plan;
        }

        private void Converge(CdnSpec spec, string originDomain, string oacId)
        {
            if (spec.PriceClass != null) Scalar(config, ConfigOrder, "PriceClass", spec.PriceClass);
            if (spec.Comment != null) Scalar(config, ConfigOrder, "Comment", spec.Comment);
            if (spec.Aliases != null) ConvergeAliases(spec.Aliases);
            if (spec.AcmCertificateArn != null) ConvergeCertificate(spec.AcmCertificateArn);
            Scalar(config, ConfigOrder, "Enabled", "true");
            Scalar(config, ConfigOrder, "HttpVersion", "http2and3");
            Scalar(config, ConfigOrder, "IsIPV6Enabled", "true");
            ConvergeBehavior(config.Child("DefaultCacheBehavior"));
            ConvergeOrigin(originDomain, oacId);
        }

        private void ConvergeAliases(string[] wanted)
        {
            string[] current = config.Child("Aliases").Items("Items").Select(e => e.Value).ToArray();
            if (Same(current, wanted)) return;
            Set(config, ConfigOrder, Cf.List("Aliases", "CNAME", wanted));
            Changes.Add($"Aliases: [{string.Join(", ", current)}] -> [{string.Join(", ", wanted)}]");
        }

        private void ConvergeCertificate(string arn)
        {
            XElement current = config.Child("ViewerCertificate");
            string currentArn = current?.Text("ACMCertificateArn");
            bool usesDefault = string.Equals(current?.Text("CloudFrontDefaultCertificate"), "true", StringComparison.OrdinalIgnoreCase);
            if (!usesDefault && currentArn == arn) return;
            Set(config, ConfigOrder, new ViewerCertificate { AcmCertificateArn = arn }.ToXml());
            Changes.Add($"ViewerCertificate: {(string.IsNullOrEmpty(currentArn) || usesDefault ? "CloudFront default certificate" : currentArn)} -> {arn} (sni-only, TLSv1.2_2021)");
        }

        private void ConvergeBehavior(XElement behavior)
        {
            if (behavior == null) return;
            // https-only is stricter than what we set: keep it; only allow-all (plain HTTP served) is corrected.
            string policy = behavior.Text("ViewerProtocolPolicy");
            if (policy != "https-only") Scalar(behavior, BehaviorOrder, "ViewerProtocolPolicy", "redirect-to-https", "DefaultCacheBehavior.");
            if (Scalar(behavior, BehaviorOrder, "CachePolicyId", CdnService.CachingOptimizedPolicyId, "DefaultCacheBehavior."))
            {
                var legacy = LegacyCacheSettings.Select(behavior.Child).Where(e => e != null).ToList();
                legacy.ForEach(e => e.Remove());
                if (legacy.Count > 0) Changes.Add($"DefaultCacheBehavior: legacy {string.Join(", ", legacy.Select(e => e.Name.LocalName))} removed (replaced by the cache policy)");
            }
            Scalar(behavior, BehaviorOrder, "Compress", "true", "DefaultCacheBehavior.");
        }

        private void ConvergeOrigin(string originDomain, string oacId)
        {
            XElement origin = config.Child("Origins").Items("Items")
                .FirstOrDefault(o => string.Equals(o.Text("DomainName"), originDomain, StringComparison.OrdinalIgnoreCase));
            if (origin == null)
            {
                Notes.Add($"no origin {originDomain} in the distribution; its origins were left as they are");
                return;
            }
            string originId = origin.Text("Id");
            XElement s3 = origin.Child("S3OriginConfig");
            if (s3 == null)
            {
                // Real CloudFront always returns it for an S3 origin (moto drops it): send it back, empty identity.
                Set(origin, OriginOrder, Cf.E("S3OriginConfig", Cf.E("OriginAccessIdentity", string.Empty)));
                Notes.Add($"origin {originId}: S3OriginConfig was not reported; sent with an empty origin access identity");
            }
            else if (!string.IsNullOrEmpty(s3.Text("OriginAccessIdentity")))
            {
                Changes.Add($"Origin {originId}: legacy origin access identity {s3.Text("OriginAccessIdentity")} -> none (Origin Access Control)");
                s3.Child("OriginAccessIdentity").Value = string.Empty;
            }
            if (origin.Child("OriginAccessControlId") == null)
            {
                // Real CloudFront reports the member (empty when unset); moto drops it, so it cannot be compared here.
                Set(origin, OriginOrder, Cf.E("OriginAccessControlId", oacId));
                Notes.Add($"origin {originId}: OriginAccessControlId was not reported; sent as {oacId}");
            }
            else Scalar(origin, OriginOrder, "OriginAccessControlId", oacId, $"Origin {originId}: ");
        }

        /// <summary>Sets one scalar member when it differs; true when it changed.</summary>
        private bool Scalar(XElement parent, string[] order, string name, string wanted, string label = "")
        {
            string current = parent.Text(name);
            if (string.Equals(current, wanted, StringComparison.Ordinal)) return false;
            Set(parent, order, Cf.E(name, wanted));
            Changes.Add($"{label}{name}: {(string.IsNullOrEmpty(current) ? "(none)" : current)} -> {(wanted.Length == 0 ? "(empty)" : wanted)}");
            return true;
        }

        /// <summary>Replaces the member named like <paramref name="value"/>, or inserts it at its place in the model's order.</summary>
        private static void Set(XElement parent, string[] order, XElement value)
        {
            string name = value.Name.LocalName;
            XElement existing = parent.Child(name);
            if (existing != null)
            {
                existing.ReplaceWith(value);
                return;
            }
            int rank = Array.IndexOf(order, name);
            XElement before = parent.Elements().LastOrDefault(e => Array.IndexOf(order, e.Name.LocalName) is int r && r >= 0 && r < rank);
            if (before != null) before.AddAfterSelf(value);
            else parent.AddFirst(value);
        }

        private static bool Same(IEnumerable<string> a, IEnumerable<string> b) =>
            a.Select(x => x.ToLowerInvariant()).OrderBy(x => x, StringComparer.Ordinal)
                .SequenceEqual(b.Select(x => x.ToLowerInvariant()).OrderBy(x => x, StringComparer.Ordinal));
    }
}
