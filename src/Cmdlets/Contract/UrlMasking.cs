using System;
using System.Text.RegularExpressions;

namespace EcommerceAws.Contract
{
    /// <summary>Hides the secrets in connection URLs (redis://:token@host, mongodb://user:password@host) before anything prints them.</summary>
    public static class UrlMasking
    {
        // scheme://user:secret@  or  scheme://:secret@  (the user name stays, the secret goes)
        private static readonly Regex UserInfo = new Regex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?<user>[^:@/]*)(:(?<secret>[^@/]*))?@",
            RegexOptions.CultureInvariant);
        private static readonly Regex SecretQuery = new Regex(@"(?<key>(password|token|auth|secret)[^=&]*=)[^&]*",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        public static string Mask(string url)
        {
            if (string.IsNullOrEmpty(url)) return url;
            string masked = UserInfo.Replace(url, m =>
            {
                string scheme = m.Groups["scheme"].Value;
                if (m.Groups["secret"].Success) return $"{scheme}{m.Groups["user"].Value}:****@";
                // redis://token@host: a lone user-info part is the token for Redis clients
                return scheme.StartsWith("redis", StringComparison.OrdinalIgnoreCase) ? $"{scheme}****@" : m.Value;
            });
            return SecretQuery.Replace(masked, m => m.Groups["key"].Value + "****");
        }
    }
}
