using System;
using System.Text.RegularExpressions;

namespace EcommerceAws.Engine
{
    /// <summary>
    /// The one home for keeping secrets out of every stream, file and status item: AWS secret keys, MongoDB URI passwords,
    /// Redis tokens, users' password hashes. Everything that prints a URL, a secret-looking attribute or an error text that
    /// may echo a secret goes through here (docs/DESIGN.md, "Secrets").
    /// </summary>
    public static class Secrets
    {
        /// <summary>What a hidden value reads as.</summary>
        public const string Mask = "****";

        // Names of attributes, parameters and fields whose values are never shown: passwordHash, resetToken, AuthToken,
        // SecretAccessKey, SessionToken, salt…
        private static readonly Regex SecretName = new Regex("password|passwd|pwd|secret|token|hash|salt",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        // Query options whose values are secrets: ?password=, tlsCertificateKeyFilePassword=, ?token=, and MongoDB's
        // authMechanismProperties (it may carry AWS_SESSION_TOKEN:…). authSource and authMechanism are not secrets.
        private static readonly Regex SecretQuery = new Regex(@"(?<key>[?&;](?:[^=&;#]*(?:password|passwd|pwd|token|secret)[^=&;#]*|authMechanismProperties)=)[^&;#]*",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>True for a name whose value must never be shown (passwordHash, resetToken, SecretAccessKey…).</summary>
        public static bool IsSecretName(string name) => !string.IsNullOrEmpty(name) && SecretName.IsMatch(name);

        /// <summary>
        /// A URL safe to print: the password of its user info (mongodb://user:****@host), a Redis token given as the whole
        /// user info (redis://****@host) and secret-looking query values (?password=****). The user info ends at the LAST
        /// '@' before the path, query or fragment, so an unencoded '@' or '/' in a password is hidden too.
        /// </summary>
        public static string MaskUrl(string url)
        {
            if (string.IsNullOrEmpty(url)) return url;
            int schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
            int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
            int queryStart = url.IndexOfAny(new[] { '?', '#' }, start);
            int authorityLimit = queryStart < 0 ? url.Length : queryStart;
            int at = url.LastIndexOf('@', authorityLimit - 1, authorityLimit - start);
            string masked = url;
            if (at >= start)
            {
                string userInfo = url.Substring(start, at - start);
                int colon = userInfo.IndexOf(':');
                bool redis = url.StartsWith("redis", StringComparison.OrdinalIgnoreCase);
                if (colon >= 0) masked = url.Substring(0, start) + userInfo.Substring(0, colon + 1) + Mask + url.Substring(at);
                else if (redis) masked = url.Substring(0, start) + Mask + url.Substring(at);   // redis://token@host: the lone part is the token
            }
            return SecretQuery.Replace(masked, m => m.Groups["key"].Value + Mask);
        }

        /// <summary>A text (an error message from a driver, say) with every occurrence of a known secret replaced by ****.</summary>
        public static string Redact(string text, string secret) =>
            string.IsNullOrEmpty(secret) || text == null ? text : text.Replace(secret, Mask, StringComparison.Ordinal);
    }
}
