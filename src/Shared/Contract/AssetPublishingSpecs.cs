using System;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>What Publish-ProductAsset asks for.</summary>
    public sealed class AssetPublishSpec
    {
        public string TableName { get; init; }
        public string BucketName { get; init; }
        /// <summary>The CDN host name only, e.g. d111111abcdef8.cloudfront.net.</summary>
        public string CdnDomain { get; init; }
        /// <summary>The old app's uploads folder, for images stored as paths; null when all images are URLs.</summary>
        public string SourceRoot { get; init; }
        public string[] ProductIds { get; init; }
        public string[] Categories { get; init; }
        /// <summary>S3 and DynamoDB requests in flight at once.</summary>
        public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;
        public const int DefaultMaxConcurrency = 64;
        /// <summary>-WhatIf: read and hash the images, upload and rewrite nothing.</summary>
        public bool DryRun { get; init; }
        public long MaxImageBytes { get; init; } = 50L * 1024 * 1024;
        /// <summary>-RejectPath: the rejects file or an existing folder for it; null for the working directory.</summary>
        public string RejectPath { get; init; }
        /// <summary>The caller's current folder (for the default rejects file).</summary>
        public string WorkingDirectory { get; init; }
    }

}
