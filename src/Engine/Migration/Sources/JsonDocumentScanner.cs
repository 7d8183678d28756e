using System;
using System.IO;
using System.Text;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// Cuts a mongoexport file into the text of its top-level documents without holding more than one in memory:
    /// one document per line, a <c>--jsonArray</c> array, or pretty-printed documents all work, since it tracks
    /// brace depth and strings rather than lines. Text that is not a document is returned as a malformed piece and the
    /// scan goes on: junk between documents up to the end of its line; in a one-document-per-line file (the first document
    /// ended on its line) a document still open at the end of its line.
    /// </summary>
    internal sealed class JsonDocumentScanner
    {
        private readonly TextReader reader;
        private readonly StringBuilder current = new StringBuilder();
        private int line = 1;
        private bool? lineMode;

        public JsonDocumentScanner(TextReader reader) => this.reader = reader;

        /// <summary>One piece of the file: a document's text, or (Problem set) why the text at that line is not one.</summary>
        public readonly struct Piece
        {
            public Piece(string json, int line, string problem)
            {
                Json = json;
                Line = line;
                Problem = problem;
            }

            public string Json { get; }
            public int Line { get; }
            public string Problem { get; }
        }

        /// <summary>The next document (or malformed piece) and the line it starts on; null at the end of the file.</summary>
        public Piece? Next()
        {
            current.Clear();
            int depth = 0, startLine = 0;
            bool inString = false, escaped = false;
            int read;
            while ((read = reader.Read()) >= 0)
            {
                char c = (char)read;
                if (c == '\n')
                {
                    line++;
                    if (depth > 0 && lineMode == true)
                    {
                        // JSON lines: a document never spans lines, so this one is broken; the next line starts afresh.
                        return new Piece(null, startLine, $"line {startLine}: the document does not end on its line ({(inString ? "an unterminated string" : "unbalanced braces")})");
                    }
                }
                if (depth == 0)
                {
                    if (char.IsWhiteSpace(c) || c == ',' || c == '[' || c == ']' || c == '\uFEFF') continue;
                    if (c != '{')
                    {
                        int junkLine = line;
                        SkipLine();
                        return new Piece(null, junkLine, $"line {junkLine}: unexpected '{Printable(c)}' between documents (expected '{{')");
                    }
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
                    if (depth == 0)
                    {
                        lineMode ??= line == startLine;
                        return new Piece(current.ToString(), startLine, null);
                    }
                }
            }
            if (depth > 0)
                return new Piece(null, startLine, $"line {startLine}: the document starting here is cut off by the end of the file");
            return null;
        }

        private void SkipLine()
        {
            int read;
            while ((read = reader.Read()) >= 0)
            {
                if (read == '\n') { line++; return; }
            }
        }

        private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();

        public int Line => line;
    }
}
