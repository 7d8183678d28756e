using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Uploads product images to the asset bucket under content-hashed keys and rewrites the products' images to CDN URLs.</summary>
    /// <remarks>
    /// <para>For every product in the table (or those given by -ProductId or -Category), each entry of images is read: an http(s) URL is downloaded; anything else is a path resolved under -SourceRoot, the old app's uploads folder ('/uploads/a.jpg' is tried as SourceRoot/uploads/a.jpg, then SourceRoot/a.jpg; paths leading outside -SourceRoot are refused). The image goes to products/&lt;productId&gt;/&lt;sha256&gt;.&lt;ext&gt; with the Content-Type found from its bytes (falling back to the file extension) and Cache-Control 'public, max-age=31536000, immutable' — safe because a changed image gets a new key. Images over 8 MB go up in 8 MB parts (multipart upload), as the AWS CLI does.</para>
    /// <para>The objects already in the bucket are found by listing products/ once (ListObjectsV2, 1,000 keys per request), not by asking per image; an image whose object is there is not sent again. Every upload is conditional (If-None-Match: *), so an object that is already there is never overwritten, even one written by another run after the listing. An object of a different size at an image's key is left alone and the image is rejected (ObjectMismatch).</para>
    /// <para>The product's images are then rewritten to https://&lt;cdn domain&gt;/products/... in one conditional update (only if images is still what was read, otherwise the product is reported as ImagesChanged and left alone); the old list is kept in imagesOriginal. Images already pointing at the CDN are left as they are, so the command is idempotent and resumes after an interruption: a second run uploads nothing.</para>
    /// <para>A missing file, a failed download or a non-image is a per-image reject (FileNotFound, DownloadFailed, NotAnImage, OutsideSourceRoot, NoSourceRoot, TooLarge, ObjectMismatch, UploadFailed; ImagesChanged or RewriteFailed for a whole product): the product keeps its old value for that image and the run goes on. Rejects go to a rejects file (JSON lines: productId, image, reason, detail; see -RejectPath) and to the result's Rejects, and the run ends with ONE warning giving their count by reason and the file's path. No permission on the bucket (AccessDenied), a missing bucket or bad credentials stop the run instead. One AssetMigrationResult sums up the run.</para>
    /// <para>Permissions: s3:ListBucket on the bucket (a condition StringLike s3:prefix = products/* is enough), s3:PutObject and s3:AbortMultipartUpload on products/*, and dynamodb:Scan, Query (with -Category), GetItem (with -ProductId) and UpdateItem on the table — see Get-EcommerceIamPolicy -Scope Migrate.</para>
    /// <para>-BucketName and -CdnDomain (alias DomainName) bind by property name from an AssetCdnInfo or an EcommerceStack. -WhatIf reads and hashes the images and reports what would be uploaded, without listing, uploading or rewriting anything. Cached products are not refreshed: run Clear-EcommerceCache or Initialize-EcommerceCache afterwards.</para>
    /// </remarks>
    /// <example>
    /// <code>Publish-ProductAsset -TableName ecommerce-cameroon -BucketName ecommerce-cameroon-assets -CdnDomain d111111abcdef8.cloudfront.net -SourceRoot /srv/shop/uploads</code>
    /// <para>Publishes every product's images and points the products at the CDN.</para>
    /// </example>
    /// <example>
    /// <code>Get-AssetCdn -BucketName ecommerce-cameroon-assets | Publish-ProductAsset -TableName ecommerce-cameroon -SourceRoot ./uploads -Category Electronics -WhatIf</code>
    /// <para>Shows what would be uploaded for one category, with the bucket and CDN domain taken from the pipeline.</para>
    /// </example>
    /// <example>
    /// <code>$r = Publish-ProductAsset -TableName ecommerce-cameroon -BucketName ecommerce-cameroon-assets -CdnDomain d111111abcdef8.cloudfront.net -SourceRoot /srv/shop/uploads -RejectPath ./asset-rejects.jsonl; if ($r.RejectPath) { Get-Content $r.RejectPath | ConvertFrom-Json | Group-Object reason }</code>
    /// <para>Publishes the images, writes any rejects to ./asset-rejects.jsonl and groups them by reason.</para>
    /// </example>
    [Cmdlet(VerbsData.Publish, "ProductAsset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AssetMigrationResult))]
    public sealed class PublishProductAssetCommand : AwsCmdlet
    {
        /// <summary><para>The single table holding the products. Binds by property name.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        /// <summary><para>The private asset bucket (served through the CDN). Binds by property name from an AssetCdnInfo, AssetBucketInfo or EcommerceStack.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string BucketName { get; set; }

        /// <summary><para>The CDN's domain name, for example d111111abcdef8.cloudfront.net (an https:// prefix is accepted). Binds by property name from an EcommerceStack (CdnDomain) or an AssetCdnInfo (DomainName).</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DomainName")]
        public string CdnDomain { get; set; }

        /// <summary><para>The old app's uploads folder, where images stored as paths are found. Not needed when every image is an http(s) URL.</para></summary>
        [Parameter]
        public string SourceRoot { get; set; }

        /// <summary><para>Only these products.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] ProductId { get; set; }

        /// <summary><para>Only the products of these categories.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Category { get; set; }

        /// <summary><para>S3 and DynamoDB requests in flight at once (1 to 256). Default 64, chosen with bench/Invoke-AssetBenchmark.ps1 -Sweep (bench/README.md): each request mostly waits for the network, so more in flight hides the latency. Images held in memory are capped at 256 MB whatever the value.</para></summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int MaxConcurrency { get; set; } = AssetPublishSpec.DefaultMaxConcurrency;

        /// <summary><para>The rejects file (JSON lines: productId, image, reason, detail), or an existing folder for it. Default: ./asset-rejects-&lt;yyyyMMdd-HHmmss&gt;.jsonl in the current directory. Created only when an image is rejected.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RejectPath { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckInput(() => AssetInputValidation.BucketName(BucketName));
            string cdn = null;
            CheckInput(() => cdn = AssetInputValidation.CdnHost(CdnDomain));
            string root = null;
            if (!string.IsNullOrWhiteSpace(SourceRoot))
            {
                root = GetUnresolvedProviderPathFromPSPath(SourceRoot);
                if (!System.IO.Directory.Exists(root))
                    ThrowInputError("SourceRootNotFound", SourceRoot, $"The folder '{SourceRoot}' does not exist.",
                        "Pass the old app's uploads folder with -SourceRoot.", ErrorCategory.ObjectNotFound);
            }
            if (ProductId != null) foreach (string id in ProductId) CheckInput(() => ProductValidation.Id(id));

            bool whatIf = IsWhatIf;
            if (!ShouldProcess($"{TableName} -> s3://{BucketName} (https://{cdn})", "Upload product images and rewrite their URLs") && !whatIf) return;
            var spec = new AssetPublishSpec
            {
                TableName = TableName, BucketName = BucketName, CdnDomain = cdn, SourceRoot = root,
                ProductIds = ProductId, Categories = Category, MaxConcurrency = MaxConcurrency, DryRun = whatIf,
                RejectPath = RejectPath == null ? null : GetUnresolvedProviderPathFromPSPath(RejectPath),
                WorkingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            };
            WriteObject(Run(context => new AssetPublisher().PublishAsync(spec, context)));
        }
    }
}
