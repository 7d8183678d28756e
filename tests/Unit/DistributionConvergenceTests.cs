using System;
using System.Linq;
using System.Xml.Linq;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.CloudFront;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>
    /// New-AssetCdn on an existing distribution: what differs from the settings it owns is changed and listed, every
    /// other member goes back exactly as CloudFront returned it, and a converged distribution is left alone.
    /// </summary>
    public class DistributionConvergenceTests
    {
        private const string Domain = "shop-assets.s3.us-east-1.amazonaws.com";
        private const string Oac = "E2QWRUHAPOMQZL";
        private static readonly XNamespace Ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

        private static string Behavior(string inner) => @"
  <DefaultCacheBehavior>
    <TargetOriginId>shop-assets</TargetOriginId>
    <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
    <TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>
    " + inner + @"
  </DefaultCacheBehavior>";

        private const string ConvergedBehavior = @"<ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>
    <AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>
      <CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
    <SmoothStreaming>false</SmoothStreaming>
    <Compress>true</Compress>
    <LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>
    <FunctionAssociations><Quantity>0</Quantity></FunctionAssociations>
    <FieldLevelEncryptionId></FieldLevelEncryptionId>
    <CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>";

        private const string ConvergedOrigin = @"<Origin>
        <Id>shop-assets</Id>
        <DomainName>" + Domain + @"</DomainName>
        <OriginPath></OriginPath>
        <CustomHeaders><Quantity>0</Quantity></CustomHeaders>
        <S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity><OriginReadTimeout>30</OriginReadTimeout></S3OriginConfig>
        <ConnectionAttempts>3</ConnectionAttempts>
        <ConnectionTimeout>10</ConnectionTimeout>
        <OriginShield><Enabled>false</Enabled></OriginShield>
        <OriginAccessControlId>" + Oac + @"</OriginAccessControlId>
      </Origin>";

        /// <summary>A config as GetDistributionConfig returns it (members in the model's order), with parts swappable.</summary>
        private static string Config(string origin = ConvergedOrigin, string behavior = null, string priceClass = "PriceClass_100",
            string httpVersion = "http2and3", string ipv6 = "true", string enabled = "true", string comment = "E-commerce Assets CDN",
            string aliases = "<Aliases><Quantity>0</Quantity></Aliases>",
            string certificate = "<ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate><SSLSupportMethod>vip</SSLSupportMethod><MinimumProtocolVersion>TLSv1</MinimumProtocolVersion><CertificateSource>cloudfront</CertificateSource></ViewerCertificate>") => @"
<DistributionConfig xmlns=""http://cloudfront.amazonaws.com/doc/2020-05-31/"">
  <CallerReference>ecommerce-shop-assets</CallerReference>
  " + aliases + @"
  <DefaultRootObject></DefaultRootObject>
  <Origins><Quantity>1</Quantity><Items>
      " + origin + @"
  </Items></Origins>
  <OriginGroups><Quantity>0</Quantity></OriginGroups>" + (behavior ?? Behavior(ConvergedBehavior)) + @"
  <CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>
  <CustomErrorResponses><Quantity>1</Quantity><Items><CustomErrorResponse><ErrorCode>403</ErrorCode><ResponsePagePath>/404.html</ResponsePagePath><ResponseCode>404</ResponseCode><ErrorCachingMinTTL>10</ErrorCachingMinTTL></CustomErrorResponse></Items></CustomErrorResponses>
  <Comment>" + comment + @"</Comment>
  <Logging><Enabled>true</Enabled><IncludeCookies>false</IncludeCookies><Bucket>logs.s3.amazonaws.com</Bucket><Prefix>cdn/</Prefix></Logging>
  <PriceClass>" + priceClass + @"</PriceClass>
  <Enabled>" + enabled + @"</Enabled>
  " + certificate + @"
  <Restrictions><GeoRestriction><RestrictionType>whitelist</RestrictionType><Quantity>2</Quantity><Items><Location>CM</Location><Location>GA</Location></Items></GeoRestriction></Restrictions>
  <WebACLId>arn:aws:wafv2:us-east-1:123456789012:global/webacl/shop/abc</WebACLId>
  <HttpVersion>" + httpVersion + @"</HttpVersion>
  <IsIPV6Enabled>" + ipv6 + @"</IsIPV6Enabled>
  <ContinuousDeploymentPolicyId></ContinuousDeploymentPolicyId>
  <Staging>false</Staging>
</DistributionConfig>";

        private static DistributionConfig Read(string xml) => DistributionConfig.FromXml(XElement.Parse(xml));

        private static DistributionConvergence Plan(string xml, CdnSpec spec = null) =>
            DistributionConvergence.Plan(Read(xml), spec ?? new CdnSpec { BucketName = "shop-assets" }, Domain, Oac);

        private static string[] Names(XElement e) => e.Elements().Select(x => x.Name.LocalName).ToArray();

        [Fact]
        public void A_distribution_that_matches_is_left_alone_byte_for_byte()
        {
            DistributionConvergence plan = Plan(Config());
            Assert.Empty(plan.Changes);
            Assert.Empty(plan.Notes);
            Assert.True(XNode.DeepEquals(XElement.Parse(Config()), plan.Result.ToXml()));
        }

        [Fact]
        public void Every_member_it_owns_that_differs_is_changed_and_listed()
        {
            string drifted = Config(
                origin: ConvergedOrigin.Replace("<OriginAccessIdentity></OriginAccessIdentity>", "<OriginAccessIdentity>origin-access-identity/cloudfront/E1OAI</OriginAccessIdentity>")
                    .Replace(Oac, "EOTHEROAC"),
                behavior: Behavior(ConvergedBehavior
                    .Replace("redirect-to-https", "allow-all")
                    .Replace("<Compress>true</Compress>", "<Compress>false</Compress>")
                    .Replace("<CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>",
                        "<ForwardedValues><QueryString>false</QueryString><Cookies><Forward>none</Forward></Cookies></ForwardedValues><MinTTL>0</MinTTL><DefaultTTL>86400</DefaultTTL><MaxTTL>31536000</MaxTTL>")),
                httpVersion: "http2", ipv6: "false", enabled: "false");
            DistributionConvergence plan = Plan(drifted, new CdnSpec { BucketName = "shop-assets", PriceClass = "PriceClass_200", Comment = "Boutique assets" });

            Assert.Equal(new[]
            {
                "PriceClass: PriceClass_100 -> PriceClass_200",
                "Comment: E-commerce Assets CDN -> Boutique assets",
                "Enabled: false -> true",
                "HttpVersion: http2 -> http2and3",
                "IsIPV6Enabled: false -> true",
                "DefaultCacheBehavior.ViewerProtocolPolicy: allow-all -> redirect-to-https",
                "DefaultCacheBehavior.CachePolicyId: (none) -> 658327ea-f89d-4fab-a63d-7e88639e58f6",
                "DefaultCacheBehavior: legacy ForwardedValues, MinTTL, DefaultTTL, MaxTTL removed (replaced by the cache policy)",
                "DefaultCacheBehavior.Compress: false -> true",
                "Origin shop-assets: legacy origin access identity origin-access-identity/cloudfront/E1OAI -> none (Origin Access Control)",
                "Origin shop-assets: OriginAccessControlId: EOTHEROAC -> " + Oac,
            }, plan.Changes);

            XElement result = plan.Result.ToXml();
            // What it sends is the converged config: planning again finds nothing to do.
            DistributionConvergence again = DistributionConvergence.Plan(plan.Result, new CdnSpec { PriceClass = "PriceClass_200", Comment = "Boutique assets" }, Domain, Oac);
            Assert.Empty(again.Changes);

            XElement behavior = result.Element(Ns + "DefaultCacheBehavior");
            Assert.Null(behavior.Element(Ns + "ForwardedValues"));       // CloudFront refuses both a cache policy and legacy TTLs
            Assert.Null(behavior.Element(Ns + "MinTTL"));
            // The cache policy goes where the model's ordered schema wants it: after FieldLevelEncryptionId.
            string[] order = Names(behavior);
            Assert.Equal(Array.IndexOf(order, "FieldLevelEncryptionId") + 1, Array.IndexOf(order, "CachePolicyId"));
            XElement origin = result.Descendants(Ns + "Origin").Single();
            Assert.Equal("", origin.Element(Ns + "S3OriginConfig").Element(Ns + "OriginAccessIdentity").Value);
            Assert.Equal("30", origin.Element(Ns + "S3OriginConfig").Element(Ns + "OriginReadTimeout").Value);
        }

        [Fact]
        public void Members_it_does_not_own_go_back_exactly_as_read()
        {
            string drifted = Config(httpVersion: "http1.1", behavior: Behavior(ConvergedBehavior.Replace("redirect-to-https", "allow-all")));
            XElement original = XElement.Parse(drifted);
            XElement result = Plan(drifted).Result.ToXml();
            foreach (string name in new[] { "CallerReference", "Aliases", "OriginGroups", "CacheBehaviors", "CustomErrorResponses", "Logging",
                "ViewerCertificate", "Restrictions", "WebACLId", "ContinuousDeploymentPolicyId", "Staging", "PriceClass", "Comment" })
                Assert.True(XNode.DeepEquals(original.Element(Ns + name), result.Element(Ns + name)), name);
            Assert.Equal(Names(original), Names(result));                  // same members, same order
            XElement behavior = result.Element(Ns + "DefaultCacheBehavior");
            Assert.True(XNode.DeepEquals(original.Element(Ns + "DefaultCacheBehavior").Element(Ns + "TrustedKeyGroups"), behavior.Element(Ns + "TrustedKeyGroups")));
            Assert.True(XNode.DeepEquals(original.Element(Ns + "DefaultCacheBehavior").Element(Ns + "AllowedMethods"), behavior.Element(Ns + "AllowedMethods")));
        }

        [Fact]
        public void Https_only_is_stricter_than_redirect_and_is_kept()
        {
            Assert.Empty(Plan(Config(behavior: Behavior(ConvergedBehavior.Replace("redirect-to-https", "https-only")))).Changes);
        }

        [Fact]
        public void Spec_members_left_null_keep_the_current_values()
        {
            string custom = Config(priceClass: "PriceClass_All", comment: "Mine",
                aliases: "<Aliases><Quantity>1</Quantity><Items><CNAME>cdn.shop.cm</CNAME></Items></Aliases>",
                certificate: "<ViewerCertificate><CloudFrontDefaultCertificate>false</CloudFrontDefaultCertificate><ACMCertificateArn>arn:aws:acm:us-east-1:123456789012:certificate/1</ACMCertificateArn><SSLSupportMethod>sni-only</SSLSupportMethod><MinimumProtocolVersion>TLSv1.2_2021</MinimumProtocolVersion></ViewerCertificate>");
            Assert.Empty(Plan(custom).Changes);
        }

        [Fact]
        public void Aliases_compare_as_a_set_ignoring_case_and_a_new_set_changes_them_and_the_certificate()
        {
            string current = Config(aliases: "<Aliases><Quantity>2</Quantity><Items><CNAME>img.shop.cm</CNAME><CNAME>CDN.shop.cm</CNAME></Items></Aliases>");
            const string Cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
            DistributionConvergence same = Plan(current, new CdnSpec { Aliases = new[] { "cdn.shop.cm", "img.shop.cm" } });
            Assert.Empty(same.Changes);

            DistributionConvergence plan = Plan(current, new CdnSpec { Aliases = new[] { "cdn.shop.cm" }, AcmCertificateArn = Cert });
            Assert.Equal(new[]
            {
                "Aliases: [img.shop.cm, CDN.shop.cm] -> [cdn.shop.cm]",
                "ViewerCertificate: CloudFront default certificate -> " + Cert + " (sni-only, TLSv1.2_2021)",
            }, plan.Changes);
            Assert.Equal(new[] { "cdn.shop.cm" }, plan.Result.Aliases);
            XElement certificate = plan.Result.ToXml().Element(Ns + "ViewerCertificate");
            Assert.Equal(Cert, certificate.Element(Ns + "ACMCertificateArn").Value);
            Assert.Equal("sni-only", certificate.Element(Ns + "SSLSupportMethod").Value);
            Assert.Equal("false", certificate.Element(Ns + "CloudFrontDefaultCertificate").Value);
        }

        [Fact]
        public void Another_origin_is_not_touched_and_it_says_so()
        {
            string other = Config(origin: ConvergedOrigin.Replace(Domain, "other.s3.us-east-1.amazonaws.com").Replace(Oac, "EOTHER"));
            DistributionConvergence plan = Plan(other);
            Assert.Empty(plan.Changes);
            Assert.Contains(plan.Notes, n => n.Contains("no origin " + Domain));
            Assert.Equal("EOTHER", plan.Result.Origins.Single().OriginAccessControlId);
        }

        [Fact]
        public void Members_moto_leaves_out_are_sent_in_schema_order_as_notes_not_changes()
        {
            string motoShaped = Config(origin: @"<Origin><Id>shop-assets</Id><DomainName>" + Domain + @"</DomainName><OriginPath></OriginPath>
                <ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout></Origin>");
            DistributionConvergence plan = Plan(motoShaped);
            Assert.Empty(plan.Changes);
            Assert.Equal(2, plan.Notes.Count);
            XElement origin = plan.Result.ToXml().Descendants(Ns + "Origin").Single();
            Assert.Equal(new[] { "Id", "DomainName", "OriginPath", "S3OriginConfig", "ConnectionAttempts", "ConnectionTimeout", "OriginAccessControlId" }, Names(origin));
            Assert.Equal(Oac, origin.Element(Ns + "OriginAccessControlId").Value);
        }
    }
}
