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

        /// <summary>The only characters besides ASCII letters and digits ElastiCache allows in an AUTH token.</summary>
        public const string AuthTokenSpecialCharacters = "!&#$^<>-";

        /// <summary>
        /// ElastiCache AUTH token rules (CreateReplicationGroup): 16 to 128 characters, ASCII letters, digits and only
        /// the special characters ! &amp; # $ ^ &lt; &gt; -. The message names the rule and never repeats the token.
        /// </summary>
        public static void CacheAuthToken(string token)
        {
            string broken = null;
            if (token == null || token.Length < 16 || token.Length > 128) broken = $"must be 16 to 128 characters long (it has {token?.Length ?? 0})";
            else
                for (int i = 0; i < token.Length; i++)
                    if (!char.IsAsciiLetterOrDigit(token[i]) && AuthTokenSpecialCharacters.IndexOf(token[i]) < 0)
                    {
                        // The position, never the character: the token is a secret.
                        broken = $"contains a character ElastiCache does not allow at position {i + 1} (allowed: A-Z, a-z, 0-9 and {string.Join(" ", AuthTokenSpecialCharacters.ToCharArray())})";
                        break;
                    }
            if (broken != null)
                throw new EcommerceException("InvalidAuthToken", ErrorCategory.InvalidArgument, null,
                    $"The -AuthToken {broken}.",
                    "Use 16 to 128 characters of A-Z, a-z, 0-9 and ! & # $ ^ < > - only, for example from a password manager set to those symbols.");
        }
    }
}
