using System.Collections;
using System.Collections.Generic;

namespace EcommerceAws.Contract
{
    /// <summary>The tag every resource created by EcommerceAws carries, and the -Tag hashtable conversion.</summary>
    public static class ManagedTags
    {
        public const string Key = "ManagedBy";
        public const string Value = "EcommerceAws";

        /// <summary>User tags from a -Tag hashtable plus the managed-by tag (the user cannot override it).</summary>
        public static Dictionary<string, string> With(IDictionary userTags)
        {
            var tags = new Dictionary<string, string>();
            if (userTags != null)
                foreach (DictionaryEntry entry in userTags)
                    tags[entry.Key?.ToString() ?? string.Empty] = entry.Value?.ToString() ?? string.Empty;
            tags[Key] = Value;
            return tags;
        }
    }
}
