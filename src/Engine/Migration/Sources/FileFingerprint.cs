using System;
using System.IO;
using System.Security.Cryptography;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// A dump file's content identity: its size and the SHA-256 of its first and last 64 KiB. Content, not the path or the
    /// modification time, so a dump moved or copied (scp without -p) is still the same source, while a re-export, another
    /// collection's file or an edited file is not. A file that only grew (documents appended) continues the recorded one:
    /// its first 64 KiB and the 64 KiB that used to end it are unchanged, so every position up to the checkpoint still
    /// names the same document.
    /// </summary>
    internal static class FileFingerprint
    {
        private const int Window = 64 * 1024;

        public static string Of(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            long size = file.Length;
            string head = Hash(file, 0, (int)Math.Min(Window, size));
            string tail = Hash(file, Math.Max(0, size - Window), (int)Math.Min(Window, size));
            return $"size={size};head={head};tail={tail}";
        }

        /// <summary>True when the file at <paramref name="path"/> is the recorded one, or the recorded one with documents appended.</summary>
        public static bool Continues(string path, string recorded)
        {
            if (recorded == null) return false;
            var parts = new System.Collections.Generic.Dictionary<string, string>();
            foreach (string part in recorded.Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq > 0) parts[part.Substring(0, eq)] = part.Substring(eq + 1);
            }
            if (!parts.TryGetValue("size", out string sizeText) || !long.TryParse(sizeText, out long size)
                || !parts.TryGetValue("head", out string head) || !parts.TryGetValue("tail", out string tail)) return false;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            if (file.Length < size) return false;
            return Hash(file, 0, (int)Math.Min(Window, size)) == head
                && Hash(file, Math.Max(0, size - Window), (int)Math.Min(Window, size)) == tail;
        }

        private static string Hash(FileStream file, long offset, int count)
        {
            var buffer = new byte[count];
            file.Seek(offset, SeekOrigin.Begin);
            int read = 0;
            while (read < count)
            {
                int n = file.Read(buffer, read, count - read);
                if (n == 0) break;
                read += n;
            }
            return Convert.ToHexString(SHA256.HashData(buffer.AsSpan(0, read))).Substring(0, 16).ToLowerInvariant();
        }
    }
}
