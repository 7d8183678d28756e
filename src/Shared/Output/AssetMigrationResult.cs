using System;

namespace EcommerceAws.Output
{
    /// <summary>One image that was not published: the product keeps its old value for it.</summary>
    public sealed class AssetReject
    {
        public string ProductId { get; init; }
        public string Image { get; init; }
        /// <summary>FileNotFound, OutsideSourceRoot, NoSourceRoot, DownloadFailed, TooLarge, NotAnImage, ObjectMismatch, UploadFailed; for a whole product ImagesChanged or RewriteFailed.</summary>
        public string Reason { get; init; }
        public string Detail { get; init; }
    }

    /// <summary>What Publish-ProductAsset did: images uploaded or found in the bucket, products rewritten, rejects.</summary>
    public sealed class AssetMigrationResult
    {
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string CdnDomain { get; init; }
        public long ProductsScanned { get; init; }
        public long ProductsUpdated { get; init; }
        /// <summary>Images sent to S3 in this run (or that would be, with -WhatIf).</summary>
        public long ImagesUploaded { get; init; }
        /// <summary>Images whose content-hashed object was already in the bucket (not sent again).</summary>
        public long ImagesSkipped { get; init; }
        /// <summary>Images already pointing at the CDN (an earlier run rewrote them).</summary>
        public long ImagesAlreadyPublished { get; init; }
        public long ImagesRejected { get; init; }
        public long BytesUploaded { get; init; }
        /// <summary>Products whose images changed while the run read them; left untouched (run again).</summary>
        public long Conflicts { get; init; }
        public AssetReject[] Rejects { get; init; } = Array.Empty<AssetReject>();
        /// <summary>The rejects file (JSON lines: productId, image, reason, detail); null when nothing was rejected or with -WhatIf.</summary>
        public string RejectPath { get; init; }
        public TimeSpan Duration { get; init; }
        public bool WhatIf { get; init; }
    }
}
