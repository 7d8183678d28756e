using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    public static partial class InputValidation
    {
        /// <summary>ElastiCache's identifier rules, checked one by one so the error names the rule that failed.</summary>
        public static void CacheClusterId(string id)
        {
            string broken = CacheClusterIdRuleBroken(id);
            if (broken != null)
                throw new EcommerceException("InvalidCacheClusterId", ErrorCategory.InvalidArgument, id,
                    $"'{id}' is not a valid ElastiCache cluster id: it {broken}.",
                    "Use 1 to 40 letters, digits or hyphens, starting with a letter, without '--' and not ending with '-', for example ecommerce-redis.");
        }

        private static string CacheClusterIdRuleBroken(string id)
        {
            if (string.IsNullOrEmpty(id)) return "is empty (1 to 40 characters are needed)";
            if (id.Length > 40) return $"has {id.Length} characters (at most 40 are allowed)";
            if (!char.IsAsciiLetter(id[0])) return "does not start with a letter";
            foreach (char c in id)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return $"contains '{c}' (only letters, digits and hyphens are allowed)";
            if (id.Contains("--")) return "contains two consecutive hyphens";
            if (id.EndsWith('-')) return "ends with a hyphen";
            return null;
        }

        /// <summary>ElastiCache AUTH token rules; the message never repeats the token.</summary>
        public static void CacheAuthToken(string token)
        {
            string broken = null;
            if (token == null || token.Length < 16 || token.Length > 128) broken = "must be 16 to 128 characters long";
            else
                foreach (char c in token)
                    if (c < 0x21 || c > 0x7E || c == '@' || c == '"' || c == '/') { broken = "may contain only printable ASCII characters other than space, '@', '\"' and '/'"; break; }
            if (broken != null)
                throw new EcommerceException("InvalidAuthToken", ErrorCategory.InvalidArgument, null,
                    $"The -AuthToken {broken}.", "Generate a token of 16 to 128 printable characters (not shown here), for example with a password manager.");
        }
    }
}
