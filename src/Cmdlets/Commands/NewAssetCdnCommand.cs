using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Puts a CloudFront distribution with Origin Access Control in front of the private asset bucket.</summary>
    /// <remarks>
    /// <para>The current best practice for the migration guide's Step 1.3: creates (or reuses) an Origin Access Control for the bucket, then a distribution whose origin is the bucket's S3 REST endpoint (bucket.s3.region.amazonaws.com, not the website endpoint) reached through that OAC, with no legacy origin access identity. The default behaviour redirects HTTP to HTTPS, allows GET and HEAD, compresses, and uses the managed cache policy CachingOptimized; HTTP/2 and HTTP/3 and IPv6 are on.</para>
    /// <para>Then it merges one statement (Sid EcommerceAwsCloudFrontRead) into the bucket policy that lets cloudfront.amazonaws.com read objects only on behalf of this distribution (condition AWS:SourceArn), keeping every other statement.</para>
    /// <para>SSE-KMS buckets: CloudFront can read objects encrypted with a customer managed key only if that key's policy lets cloudfront.amazonaws.com use kms:Decrypt for this distribution (condition AWS:SourceArn). The module does not edit key policies: it warns and returns the statement to add in KmsKeyPolicyStatement. Under the AWS managed key aws/s3 CloudFront cannot read at all (a warning says so).</para>
    /// <para>Partitions: in the China regions CloudFront is a separate service (cloudfront.cn-northwest-1.amazonaws.com.cn) without origin access control or managed cache policies, and GovCloud has no CloudFront: there the command stops before any call (CdnOriginAccessControlNotInPartition, CloudFrontNotInPartition). Get-AssetCdn, Clear-AssetCdnCache and Remove-AssetCdn work with China distributions.</para>
    /// <para>-PriceClass: PriceClass_All (default), PriceClass_200 or PriceClass_100. PriceClass_100 has no edge location in Africa, so a Cameroon shop needs PriceClass_200 or PriceClass_All. -Alias needs -AcmCertificateArn, a certificate from us-east-1 (checked before any call).</para>
    /// <para>Idempotent and converging: the CallerReference is derived from the bucket name and an existing distribution for the same origin is reused (AlreadyExisted = True), so a re-run never makes a second distribution. A re-run brings that distribution to the request: the parameters given (-PriceClass, -Alias with -AcmCertificateArn, -Comment) and the security defaults above (redirect-to-https, CachingOptimized, compression, HTTP/2 and HTTP/3, IPv6, enabled, the Origin Access Control on the bucket origin) are updated in place (UpdateDistribution with the config's ETag), every other setting is kept as it is, and the Changes property lists what changed ("Member: old -> new"; empty when nothing differed, in which case no update is sent). Parameters not given keep the distribution's current value. -WhatIf shows the changes it would make. The command waits until the distribution is Deployed (5-15 minutes on AWS) with a progress bar; -NoWait returns at once. Url is the guide's CLOUDFRONT_URL.</para>
    /// </remarks>
    /// <example>
    /// <code>New-AssetBucket ecommerce-cameroon-assets | New-AssetCdn</code>
    /// <para>Creates the bucket and its CDN and waits until the CDN is deployed.</para>
    /// </example>
    /// <example>
    /// <code>New-AssetCdn -BucketName ecommerce-cameroon-assets -PriceClass PriceClass_200 -Alias cdn.shop.cm -AcmCertificateArn arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-111122223333 -NoWait</code>
    /// <para>Creates a cheaper distribution (still with African edges) answering on cdn.shop.cm, without waiting for deployment.</para>
    /// </example>
    /// <example>
    /// <code>New-AssetCdn -BucketName ecommerce-cameroon-assets -PriceClass PriceClass_All -WhatIf
    /// (New-AssetCdn -BucketName ecommerce-cameroon-assets -PriceClass PriceClass_All -Confirm:$false).Changes</code>
    /// <para>Shows what a re-run would change on the existing distribution, then changes it and lists the changes (PriceClass: PriceClass_200 -> PriceClass_All).</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "AssetCdn", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AssetCdnInfo))]
    public sealed class NewAssetCdnCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>The asset bucket to serve (binds from New-AssetBucket / Get-AssetBucket output).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>PriceClass_All (default for a new distribution; an existing one keeps its price class unless this is given), PriceClass_200 or PriceClass_100. PriceClass_100 has no edge in Africa: a Cameroon shop needs PriceClass_200 or PriceClass_All.</para></summary>
        [Parameter]
        [ValidateSet("PriceClass_All", "PriceClass_200", "PriceClass_100")]
        public string PriceClass { get; set; } = "PriceClass_All";

        /// <summary><para>Alternate domain names (CNAMEs) such as cdn.shop.cm. Requires -AcmCertificateArn. On an existing distribution they replace its aliases; without -Alias its aliases and certificate are kept.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Alias { get; set; }

        /// <summary><para>ARN of an ACM certificate in us-east-1 covering the aliases.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AcmCertificateArn { get; set; }

        /// <summary><para>Comment on the distribution. Default for a new one: "E-commerce Cameroon Assets CDN" (the guide's); an existing one keeps its comment unless this is given.</para></summary>
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
                // unbound: PriceClass_All for a new distribution; a re-run keeps the price class the distribution has
                PriceClass = MyInvocation.BoundParameters.ContainsKey(nameof(PriceClass)) ? PriceClass : null,
                Aliases = Alias,
                AcmCertificateArn = AcmCertificateArn,
                Comment = Comment,
                Wait = !NoWait,
                Tags = ManagedTags.With(Tag),
            };
            // Read-only look-up so the confirmation (and -WhatIf) says whether this creates or updates, and what.
            CdnPlan plan = Run(context => new CdnService().PlanAsync(spec, context));
            string action = plan == null
                ? $"Create (or bring to the requested settings) the CloudFront distribution ({PriceClass}) with Origin Access Control and grant it read access in the bucket policy"
                : plan.DistributionId == null
                    ? $"Create CloudFront distribution ({PriceClass}) with Origin Access Control and grant it read access in the bucket policy"
                    : plan.Changes.Length == 0
                        ? $"Keep CloudFront distribution {plan.DistributionId} (it already has the requested settings) and check its bucket policy statement"
                        : $"Update CloudFront distribution {plan.DistributionId}: {string.Join("; ", plan.Changes)}";
            if (!ShouldProcess(BucketName, action)) return;
            WriteObject(Run(context => new CdnService().CreateAsync(spec, context)));
        }

        #endregion
    }
}
