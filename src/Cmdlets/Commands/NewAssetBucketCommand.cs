using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates the private S3 bucket for product images and other shop assets, or reconciles an existing one.</summary>
    /// <remarks>
    /// <para>Creates the bucket of the migration guide's Step 1.2 in the current region (us-east-1 without a LocationConstraint, every other region with one), with today's safe defaults: all four Block Public Access flags on, object ownership BucketOwnerEnforced (ACLs off), versioning on, default encryption SSE-S3 (or SSE-KMS with -KmsKeyId), a lifecycle rule that expires noncurrent object versions after -NoncurrentVersionDays (default 30; the guide's "lifecycle policies for old images") and one that aborts incomplete multipart uploads after 7 days, optional CORS for GET/HEAD from -AllowedOrigin, and the tag ManagedBy=EcommerceAws.</para>
    /// <para>The bucket stays private: serve it through CloudFront with New-AssetCdn (pipe this command's output into it). -AllowPublicRead reproduces the guide's public-read bucket policy: it lifts BlockPublicPolicy and RestrictPublicBuckets, writes a statement (Sid EcommerceAwsPublicRead) allowing s3:GetObject to everyone, and warns about the exposure. Without it, a re-run removes that statement and turns Block Public Access fully on again. EcommerceAws never writes a public policy while the bucket's Block Public Access would block it (error PublicPolicyBlocked).</para>
    /// <para>Idempotent: a bucket you already own is returned (AlreadyExisted = True) with its settings reconciled to the requested ones (other lifecycle rules, tags and policy statements are kept). A name owned by another account stops the command with BucketNameTaken. The name is checked before any AWS call (InvalidBucketName, naming the rule that failed).</para>
    /// </remarks>
    /// <example>
    /// <code>New-AssetBucket -BucketName ecommerce-cameroon-assets -Region af-south-1 -AllowedOrigin 'https://shop.example.cm'</code>
    /// <para>Creates the private, versioned, encrypted asset bucket in Cape Town and allows the shop's web site to fetch assets with CORS.</para>
    /// </example>
    /// <example>
    /// <code>New-AssetBucket ecommerce-cameroon-assets | New-AssetCdn</code>
    /// <para>Creates the bucket and puts a CloudFront distribution with Origin Access Control in front of it.</para>
    /// </example>
    /// <example>
    /// <code>New-AssetBucket ecommerce-cameroon-assets -AllowPublicRead -WhatIf</code>
    /// <para>Shows that the guide's public-read bucket would be created, without creating anything.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "AssetBucket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AssetBucketInfo))]
    public sealed class NewAssetBucketCommand : AwsCmdlet
    {
        #region Parameters

        /// <summary><para>Name of the bucket: 3 to 63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit. Bucket names are global across all AWS accounts.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>A KMS key (id, ARN or alias) for default encryption with SSE-KMS (with an S3 Bucket Key). Default: SSE-S3 (AES256), which costs nothing.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string KmsKeyId { get; set; }

        /// <summary><para>Days after which replaced or deleted versions of an object (noncurrent versions) are deleted. Default 30. 1 to 3650.</para></summary>
        [Parameter]
        [ValidateRange(1, 3650)]
        public int NoncurrentVersionDays { get; set; } = 30;

        /// <summary><para>Web origins allowed to GET/HEAD objects with CORS, for example https://shop.example.cm. Default: no CORS configuration.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] AllowedOrigin { get; set; }

        /// <summary><para>Make every object publicly readable, as the migration guide does (not recommended: use New-AssetCdn instead). Lifts BlockPublicPolicy and RestrictPublicBuckets and writes a public-read policy statement.</para></summary>
        [Parameter]
        public SwitchParameter AllowPublicRead { get; set; }

        /// <summary><para>Tags as a hashtable, for example @{ Project = 'shop' }. ManagedBy=EcommerceAws is always added; existing tags are kept.</para></summary>
        [Parameter]
        public Hashtable Tag { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            CheckInput(() => AssetInputValidation.BucketName(BucketName));
            if (AllowedOrigin != null)
                foreach (string origin in AllowedOrigin)
                    if (origin != "*" && !System.Uri.TryCreate(origin, System.UriKind.Absolute, out _))
                        ThrowInputError("InvalidAllowedOrigin", origin, $"'{origin}' is not a web origin such as https://shop.example.cm.",
                            "Pass the scheme and host of the site that loads the assets, for example https://shop.example.cm.");
            var spec = new BucketSpec
            {
                BucketName = BucketName,
                KmsKeyId = KmsKeyId,
                NoncurrentVersionDays = NoncurrentVersionDays,
                AllowedOrigin = AllowedOrigin,
                AllowPublicRead = AllowPublicRead,
                Tags = ManagedTags.With(Tag),
            };
            string what = AllowPublicRead
                ? "Create S3 bucket with a PUBLIC-READ policy (Block Public Access lifted for policies), versioning, encryption, lifecycle"
                : "Create private S3 bucket (Block Public Access, versioning, encryption, lifecycle)";
            if (!ShouldProcess(BucketName, what)) return;
            WriteObject(Run(context => new BucketService().CreateAsync(spec, context)));
        }

        #endregion
    }
}
