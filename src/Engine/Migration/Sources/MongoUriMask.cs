using System;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>Hides the password of a mongodb:// or mongodb+srv:// URI (user:****@host).</summary>
    internal static class MongoUriMask
    {
        public const string Hidden = "****";

        public static string Mask(string uri)
        {
            if (string.IsNullOrEmpty(uri)) return uri;
            int scheme = uri.IndexOf("://", StringComparison.Ordinal);
            int start = scheme < 0 ? 0 : scheme + 3;
            // The last '@' ends the user info: unencoded '@' in a password still gets hidden.
            int at = uri.LastIndexOf('@');
            if (at < start) return uri;
            int colon = uri.IndexOf(':', start, at - start);
            if (colon < 0) return uri;
            return uri.Substring(0, colon + 1) + Hidden + uri.Substring(at);
        }
    }
}
