using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>Content-Type and file extension of an image, from its first bytes (magic numbers), else from its name, else from the server.</summary>
    internal static class ImageContent
    {
        private static readonly Dictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
            [".webp"] = "image/webp", [".svg"] = "image/svg+xml", [".avif"] = "image/avif", [".bmp"] = "image/bmp",
            [".ico"] = "image/x-icon", [".tif"] = "image/tiff", [".tiff"] = "image/tiff",
        };

        private static readonly Dictionary<string, string> ExtensionOf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["image/jpeg"] = "jpg", ["image/png"] = "png", ["image/gif"] = "gif", ["image/webp"] = "webp", ["image/svg+xml"] = "svg",
            ["image/avif"] = "avif", ["image/bmp"] = "bmp", ["image/x-icon"] = "ico", ["image/tiff"] = "tiff",
        };

        /// <summary>The image's type and extension, or null when neither the bytes, the name nor the server say it is an image.</summary>
        public static (string ContentType, string Extension)? Identify(byte[] data, string name, string serverContentType)
        {
            string type = Sniff(data);
            if (type == null && ByExtension.TryGetValue(Path.GetExtension(name ?? string.Empty), out string fromName)) type = fromName;
            if (type == null && serverContentType != null && ExtensionOf.ContainsKey(serverContentType)) type = serverContentType;
            return type == null ? null : (type, ExtensionOf[type]);
        }

        public static string Sniff(byte[] d)
        {
            bool Starts(params byte[] magic) => d.Length >= magic.Length && d.AsSpan(0, magic.Length).SequenceEqual(magic);
            if (Starts(0xFF, 0xD8, 0xFF)) return "image/jpeg";
            if (Starts(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) return "image/png";
            if (Starts((byte)'G', (byte)'I', (byte)'F', (byte)'8')) return "image/gif";
            if (d.Length >= 12 && Starts((byte)'R', (byte)'I', (byte)'F', (byte)'F') && Encoding.ASCII.GetString(d, 8, 4) == "WEBP") return "image/webp";
            if (d.Length >= 12 && Encoding.ASCII.GetString(d, 4, 4) == "ftyp" && Encoding.ASCII.GetString(d, 8, 4) is "avif" or "avis") return "image/avif";
            if (Starts((byte)'B', (byte)'M')) return "image/bmp";
            if (Starts(0x00, 0x00, 0x01, 0x00)) return "image/x-icon";
            if (Starts(0x49, 0x49, 0x2A, 0x00) || Starts(0x4D, 0x4D, 0x00, 0x2A)) return "image/tiff";
            string head = Encoding.UTF8.GetString(d, 0, Math.Min(d.Length, 512)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (head.StartsWith("<svg", StringComparison.OrdinalIgnoreCase)
                || (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) && head.Contains("<svg", StringComparison.OrdinalIgnoreCase)))
                return "image/svg+xml";
            return null;
        }
    }
}
