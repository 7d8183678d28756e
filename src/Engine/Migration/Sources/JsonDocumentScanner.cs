using System;
using System.IO;
using System.Text;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// Cuts a mongoexport file into the text of its top-level documents without holding more than one in memory:
    /// one document per line, a <c>--jsonArray</c> array, or pretty-printed documents all work, since it tracks
    /// brace depth and strings rather than lines.
    /// </summary>
    internal sealed class JsonDocumentScanner
    {
        private readonly TextReader reader;
        private readonly StringBuilder current = new StringBuilder();
        private int line = 1;

        public JsonDocumentScanner(TextReader reader) => this.reader = reader;

        /// <summary>The next document's JSON text and the line it starts on; null at the end of the file.</summary>
        /// <exception cref="FormatException">Text outside a document, or a document cut off by the end of the file.</exception>
        public (string Json, int Line)? Next()
        {
            current.Clear();
            int depth = 0, startLine = 0;
            bool inString = false, escaped = false;
            int read;
            while ((read = reader.Read()) >= 0)
            {
                char c = (char)read;
                if (c == '\n') line++;
                if (depth == 0)
                {
                    if (char.IsWhiteSpace(c) || c == ',' || c == '[' || c == ']' || c == '\uFEFF') continue;
                    if (c != '{')
                        throw new FormatException($"line {line}: unexpected '{c}' between documents (expected '{{').");
                    startLine = line;
                }
                current.Append(c);
                if (inString)
                {
                    if (escaped) escaped = false;
                    else if (c == '\\') escaped = true;
                    else if (c == '"') inString = false;
                    continue;
                }
                if (c == '"') inString = true;
                else if (c == '{' || c == '[') depth++;
                else if (c == '}' || c == ']')
                {
                    depth--;
                    if (depth == 0) return (current.ToString(), startLine);
                }
            }
            if (depth > 0)
                throw new FormatException($"line {startLine}: the document starting here is cut off by the end of the file.");
            return null;
        }

        public int Line => line;
    }
}
