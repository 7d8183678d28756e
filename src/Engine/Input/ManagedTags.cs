using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>The tag every resource created by EcommerceAws carries, and the -Tag hashtable conversion.</summary>
    public static class ManagedTags
    {
        public const string Key = "ManagedBy";
        public const string Value = "EcommerceAws";

        // AWS's common tag rules (DynamoDB, S3, CloudFront, ElastiCache, CloudWatch): checked before any call, so a bad tag
        // cannot fail a multi-step command half-way.
        private static readonly Regex Allowed = new Regex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$", RegexOptions.CultureInvariant);

        /// <summary>User tags from a -Tag hashtable plus the managed-by tag (the user cannot override it); InvalidTag when a tag breaks AWS's rules.</summary>
        public static Dictionary<string, string> With(IDictionary userTags)
        {
            var tags = new Dictionary<string, string>();
            if (userTags != null)
                foreach (DictionaryEntry entry in userTags)
                {
                    string key = entry.Key?.ToString() ?? string.Empty, value = entry.Value?.ToString() ?? string.Empty;
                    string problem = key.Length is < 1 or > 128 ? "keys have 1 to 128 characters"
                        : value.Length > 256 ? "values have at most 256 characters"
                        : key.StartsWith("aws:", System.StringComparison.OrdinalIgnoreCase) ? "the aws: prefix is reserved for AWS"
                        : !Allowed.IsMatch(key) || !Allowed.IsMatch(value) ? "only letters, digits, spaces and _ . : / = + - @ are allowed"
                        : null;
                    if (problem != null)
                        throw new EcommerceException("InvalidTag", ErrorCategory.InvalidArgument, key,
                            $"The tag '{key}' = '{value}' cannot be used on AWS: {problem}.",
                            "Fix the -Tag hashtable, for example @{ Project = 'shop'; Owner = 'ops@example.cm' }.");
                    tags[key] = value;
                }
            tags[Key] = Value;
            return tags;
        }
    }
}
