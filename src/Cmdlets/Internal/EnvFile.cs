using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace EcommerceAws.Internal
{
    /// <summary>The lines a .env file will have after an update, and which keys changed.</summary>
    public sealed class EnvFilePlan
    {
        public string Path { get; init; }
        public List<string> Lines { get; init; }
        public string[] Added { get; init; }
        public string[] Updated { get; init; }
        public string[] Unchanged { get; init; }
    }

    /// <summary>Updates KEY=value lines of a .env file in place, leaving every other line as it was.</summary>
    public static class EnvFile
    {
        private static readonly Regex Assignment = new Regex(@"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$");

        public static EnvFilePlan Plan(string path, IReadOnlyList<KeyValuePair<string, string>> values)
        {
            var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : new List<string>();
            var added = new List<string>();
            var updated = new List<string>();
            var unchanged = new List<string>();
            foreach (var (key, value) in values)
            {
                string line = $"{key}={Quote(value)}";
                int index = lines.FindIndex(l => Assignment.Match(l) is { Success: true } m && m.Groups[1].Value == key);
                if (index < 0) { lines.Add(line); added.Add(key); }
                else if (lines[index] == line) unchanged.Add(key);
                else { lines[index] = line; updated.Add(key); }
            }
            return new EnvFilePlan { Path = path, Lines = lines, Added = added.ToArray(), Updated = updated.ToArray(), Unchanged = unchanged.ToArray() };
        }

        public static void Write(EnvFilePlan plan)
        {
            string temporary = plan.Path + ".tmp-" + Guid.NewGuid().ToString("N");
            try
            {
                File.WriteAllText(temporary, string.Join("\n", plan.Lines) + "\n", new UTF8Encoding(false));
                File.Move(temporary, plan.Path, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }

        // Values with spaces, quotes or '#' are double-quoted so dotenv parsers read them back unchanged.
        private static string Quote(string value) =>
            Regex.IsMatch(value, @"[\s#""'\\]") ? "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : value;
    }
}
