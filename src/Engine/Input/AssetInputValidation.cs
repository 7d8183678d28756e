using System;
using System.Management.Automation;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>Checks of asset bucket and CDN input that run before any AWS call; each failure has a stable ErrorId.</summary>
    public static class AssetInputValidation
    {
        private static readonly Regex BucketCharacters = new Regex("^[a-z0-9.-]+$", RegexOptions.CultureInvariant);
        private static readonly Regex IpShaped = new Regex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$", RegexOptions.CultureInvariant);
        private static readonly Regex AcmArn = new Regex(@"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$", RegexOptions.CultureInvariant);
        private static readonly Regex DistributionIdPattern = new Regex("^[A-Z0-9]{8,20}$", RegexOptions.CultureInvariant);

        /// <summary>The S3 general purpose bucket naming rules; the message names the rule that failed.</summary>
        private static readonly Regex HostPattern = new Regex(@"^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+(:\d+)?$", RegexOptions.CultureInvariant);

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

        public static void BucketName(string name)
        {
            string rule = BrokenBucketRule(name);
            if (rule != null)
                throw new EcommerceException("InvalidBucketName", ErrorCategory.InvalidArgument, name,
                    $"'{name}' is not a valid S3 bucket name: {rule}.",
                    "Use 3 to 63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit, for example ecommerce-cameroon-assets.");
        }

        /// <summary>The first bucket naming rule the name breaks, or null when it is valid.</summary>
        public static string BrokenBucketRule(string name)
        {
            if (string.IsNullOrEmpty(name)) return "the name is empty";
            if (name.Length < 3 || name.Length > 63) return $"it must be 3 to 63 characters long (it has {name.Length})";
            if (!BucketCharacters.IsMatch(name)) return "it may contain only lowercase letters, digits, hyphens (-) and dots (.)";
            if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])) return "it must start and end with a letter or digit";
            if (name.Contains("..")) return "it must not contain two adjacent dots (..)";
            if (IpShaped.IsMatch(name)) return "it must not be formatted as an IP address";
            if (name.StartsWith("xn--", StringComparison.Ordinal)) return "it must not start with the prefix xn--";
            if (name.StartsWith("sthree-", StringComparison.Ordinal)) return "it must not start with the prefix sthree-";
            if (name.EndsWith("-s3alias", StringComparison.Ordinal)) return "it must not end with the suffix -s3alias";
            if (name.EndsWith("--ol-s3", StringComparison.Ordinal)) return "it must not end with the suffix --ol-s3";
            return null;
        }

        /// <summary>CloudFront accepts only ACM certificates issued in us-east-1.</summary>
        public static void AcmCertificateArn(string arn)
        {
            Match match = AcmArn.Match(arn ?? string.Empty);
            if (!match.Success)
                throw new EcommerceException("InvalidAcmCertificateArn", ErrorCategory.InvalidArgument, arn,
                    $"'{arn}' is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>).",
                    "Copy the ARN from 'aws acm list-certificates --region us-east-1'.");
            if (match.Groups[1].Value != "us-east-1")
                throw new EcommerceException("AcmCertificateNotInUsEast1", ErrorCategory.InvalidArgument, arn,
                    $"The certificate '{arn}' is in {match.Groups[1].Value}; CloudFront uses only certificates from us-east-1.",
                    "Request or import the certificate in us-east-1 (N. Virginia) and pass that ARN.");
        }

        public static void DistributionId(string id)
        {
            if (id == null || !DistributionIdPattern.IsMatch(id))
                throw new EcommerceException("InvalidDistributionId", ErrorCategory.InvalidArgument, id,
                    $"'{id}' is not a CloudFront distribution id (uppercase letters and digits, such as E2QWRUHAPOMQZL).",
                    "Get the id from Get-AssetCdn or 'aws cloudfront list-distributions'.");
        }

        /// <summary>Invalidation paths start with '/' and may end with one '*'.</summary>
        public static void InvalidationPath(string path)
        {
            int star = path?.IndexOf('*') ?? -1;
            if (string.IsNullOrEmpty(path) || path[0] != '/' || (star >= 0 && star != path.Length - 1))
                throw new EcommerceException("InvalidInvalidationPath", ErrorCategory.InvalidArgument, path,
                    $"'{path}' is not a CloudFront invalidation path: it must start with '/' and may contain one '*' only at the end.",
                    "Use for example '/*' (everything) or '/images/products/*'.");
        }
    }
}
