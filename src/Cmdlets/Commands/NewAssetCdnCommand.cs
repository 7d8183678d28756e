using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Puts a CloudFront distribution with Origin Access Control in front of the private asset bucket.</summary>
    /// <remarks>
    /// <para>The current best practice for the migration guide's Step 1.3: creates (or reuses) an Origin Access Control for the bucket, then a distribution whose origin is the bucket's S3 REST endpoint (bucket.s3.region.amazonaws.com, not the website endpoint) reached through that OAC, with no legacy origin access identity. The default behaviour redirects HTTP to HTTPS, allows GET and HEAD, compresses, and uses the managed cache policy CachingOptimized; HTTP/2 and HTTP/3 and IPv6 are on.</para>
    /// <para>Then it merges one statement (Sid EcommerceAwsCloudFrontRead) into the bucket policy that lets cloudfront.amazonaws.com read objects only on behalf of this distribution (condition AWS:SourceArn), keeping every other statement.</para>
    /// <para>-PriceClass: PriceClass_All (default), PriceClass_200 or PriceClass_100. PriceClass_100 has no edge location in Africa, so a Cameroon shop needs PriceClass_200 or PriceClass_All. -Alias needs -AcmCertificateArn, a certificate from us-east-1 (checked before any call).</para>
    /// <para>Idempotent: the CallerReference is derived from the bucket name and an existing distribution for the same origin is returned (AlreadyExisted = True), so a re-run never makes a second distribution. The command waits until the distribution is Deployed (5-15 minutes on AWS) with a progress bar; -NoWait returns at once. Url is the guide's CLOUDFRONT_URL.</para>
    /// </remarks>
    /// <example>
    /// <code>New-AssetBucket ecommerce-cameroon-assets | New-AssetCdn</code>
    /// <para>Creates the bucket and its CDN and waits until the CDN is deployed.</para>
    /// </example>
    /// <example>
    /// <code>New-AssetCdn -BucketName ecommerce-cameroon-assets -PriceClass PriceClass_200 -Alias cdn.shop.cm -AcmCertificateArn arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333 -NoWait</code>
    /// <para>Creates a cheaper distribution (still with African edges) answering on cdn.shop.cm, without waiting for deployment.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "AssetCdn", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AssetCdnInfo))]
    public sealed class NewAssetCdnCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>The asset bucket to serve (binds from New-AssetBucket / Get-AssetBucket output).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string BucketName { get; set; }

        /// <summary><para>PriceClass_All (default), PriceClass_200 or PriceClass_100. PriceClass_100 has no edge in Africa: a Cameroon shop needs PriceClass_200 or PriceClass_All.</para></summary>
        [Parameter]
        [ValidateSet("PriceClass_All", "PriceClass_200", "PriceClass_100")]
        public string PriceClass { get; set; } = "PriceClass_All";

        /// <summary><para>Alternate domain names (CNAMEs) such as cdn.shop.cm. Requires -AcmCertificateArn.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Alias { get; set; }

        /// <summary><para>ARN of an ACM certificate in us-east-1 covering the aliases.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AcmCertificateArn { get; set; }

        /// <summary><para>Comment on the distribution. Default: "E-commerce Cameroon Assets CDN" (the guide's).</para></summary>
        [Parameter]
        [ValidateLength(0, 128)]
        public string Comment { get; set; }

        /// <summary><para>Tags as a hashtable. ManagedBy=EcommerceAws is always added.</para></summary>
        [Parameter]
        public Hashtable Tag { get; set; }

        /// <summary><para>Return at once instead of waiting for the distribution to be Deployed.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.BucketName(BucketName));
            if (AcmCertificateArn != null) CheckInput(() => AssetInputValidation.AcmCertificateArn(AcmCertificateArn));
            if (Alias != null && AcmCertificateArn == null)
                ThrowInputError("AliasRequiresCertificate", Alias, "CloudFront serves alternate domain names (-Alias) only with a certificate for them.",
                    "Add -AcmCertificateArn with a us-east-1 ACM certificate covering the aliases, or leave out -Alias.");
            if (AcmCertificateArn != null && Alias == null)
                ThrowInputError("CertificateRequiresAlias", AcmCertificateArn, "-AcmCertificateArn is used only for alternate domain names, and no -Alias was given.",
                    "Add -Alias with the domain name(s) the certificate covers, or leave out -AcmCertificateArn.");
            var spec = new CdnSpec
            {
                BucketName = BucketName,
                PriceClass = PriceClass,
                Aliases = Alias,
                AcmCertificateArn = AcmCertificateArn,
                Comment = Comment,
                Wait = !NoWait,
                Tags = ManagedTags.With(Tag),
            };
            if (!ShouldProcess(BucketName, $"Create CloudFront distribution ({PriceClass}) with Origin Access Control and grant it read access in the bucket policy")) return;
            WriteObject(Run(context => Engine<ICdnService>().CreateAsync(spec, context)));
        }

        #endregion
    }
}
