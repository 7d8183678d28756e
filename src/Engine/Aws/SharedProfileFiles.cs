using System;
using System.Collections.Generic;
using System.IO;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// Reads profile names and their regions straight from the shared config and credentials files, at the paths the
    /// environment names now (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials).
    /// The SDK's SharedCredentialsFile keeps the paths of its first use for the whole process and lists only profiles
    /// that hold credentials; completion wants every profile a user can name. Format: "Using shared config and
    /// credentials files" (AWS SDKs and Tools reference guide): [default] / [profile name] in config, [name] in credentials.
    /// </summary>
    internal static class SharedProfileFiles
    {
        /// <summary>Profile name → its region (null when it sets none); config file settings win over credentials file ones.</summary>
        public static IReadOnlyDictionary<string, string> ReadProfiles()
        {
            var profiles = new SortedDictionary<string, string>(StringComparer.Ordinal);
            Read(PathOf("AWS_SHARED_CREDENTIALS_FILE", "credentials"), isConfig: false, profiles);
            Read(PathOf("AWS_CONFIG_FILE", "config"), isConfig: true, profiles);
            return profiles;
        }

        private static string PathOf(string variable, string fileName)
        {
            string configured = Environment.GetEnvironmentVariable(variable);
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrWhiteSpace(configured)) return Path.Combine(home, ".aws", fileName);
            configured = configured.Trim();
            return configured.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, configured.Substring(2)) : configured;
        }

        private static void Read(string path, bool isConfig, IDictionary<string, string> profiles)
        {
            string[] lines;
            try { lines = File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>(); }
            catch (Exception) { return; } // unreadable: nothing from this file
            string current = null;
            foreach (string raw in lines)
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;
                if (line[0] == '[')
                {
                    int end = line.IndexOf(']');
                    string section = (end > 0 ? line.Substring(1, end - 1) : line.Substring(1)).Trim();
                    current = !isConfig ? section
                        : section == "default" ? section
                        : section.StartsWith("profile ", StringComparison.Ordinal) ? section.Substring("profile ".Length).Trim()
                        : null; // [sso-session …], [services …]: not profiles
                    if (!string.IsNullOrEmpty(current) && !profiles.ContainsKey(current)) profiles[current] = null;
                    continue;
                }
                if (string.IsNullOrEmpty(current)) continue;
                int equals = line.IndexOf('=');
                if (equals > 0 && line.Substring(0, equals).Trim() == "region")
                {
                    string region = line.Substring(equals + 1).Trim();
                    if (region.Length > 0 && (isConfig || profiles[current] == null)) profiles[current] = region;
                }
            }
        }
    }
}
