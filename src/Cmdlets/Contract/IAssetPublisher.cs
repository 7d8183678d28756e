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
        public int MaxConcurrency { get; init; } = 4;
        /// <summary>-WhatIf: read and hash the images, upload and rewrite nothing.</summary>
        public bool DryRun { get; init; }
        public long MaxImageBytes { get; init; } = 50L * 1024 * 1024;
    }

    /// <summary>Moves product images into the asset bucket and points the products at the CDN (engine side).</summary>
    public interface IAssetPublisher
    {
        Task<AssetMigrationResult> PublishAsync(AssetPublishSpec spec, IOperationContext context);
    }

    /// <summary>Checks of asset input that run before any AWS call.</summary>
    public static class AssetInputValidation
    {
        private static readonly Regex BucketPattern = new Regex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);
        private static readonly Regex HostPattern = new Regex(@"^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+(:\d+)?$", RegexOptions.CultureInvariant);

        public static void BucketName(string name)
        {
            if (name == null || !BucketPattern.IsMatch(name) || name.Contains(".."))
                throw new EcommerceException("InvalidBucketName", ErrorCategory.InvalidArgument, name,
                    $"'{name}' is not a valid S3 bucket name: 3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit.",
                    "Pass the asset bucket's name, for example ecommerce-cameroon-assets.");
        }

        /// <summary>The CDN host from 'd123.cloudfront.net', 'https://d123.cloudfront.net/' or a custom domain.</summary>
        public static string CdnHost(string domain)
        {
            string host = (domain ?? string.Empty).Trim();
            if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) host = host.Substring(8);
            host = host.TrimEnd('/');
            if (!HostPattern.IsMatch(host))
                throw new EcommerceException("InvalidCdnDomain", ErrorCategory.InvalidArgument, domain,
                    $"'{domain}' is not a CDN domain name such as d111111abcdef8.cloudfront.net.",
                    "Pass -CdnDomain (the distribution's DomainName, from New-AssetCdn or Get-AssetCdn), or pipe an AssetCdnInfo.");
            return host.ToLowerInvariant();
        }
    }
}
