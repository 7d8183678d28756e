using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// A mongoexport file (Extended JSON v2, canonical or relaxed): one document per line or a --jsonArray array,
    /// streamed. Position = the document's 1-based ordinal in the file.
    /// A malformed document stops the read with <c>SourceDocumentMalformed</c> (file, line, ordinal): a file we cannot
    /// parse is not a file whose later positions can be trusted, so the engine should fail the run at that checkpoint.
    /// </summary>
    internal sealed class ExtendedJsonFileSource : IDocumentSource
    {
        private readonly string path;
        private readonly long length;
        private FileStream stream;

        public ExtendedJsonFileSource(string path)
        {
            this.path = path;
            length = new FileInfo(path).Length;
            Description = path;
        }

        public string Description { get; }

        public double? ProgressFraction
        {
            get
            {
                FileStream s = stream;
                if (length == 0) return 1;
                try { return s == null ? 0 : Math.Min(1.0, (double)s.Position / length); }
                catch (ObjectDisposedException) { return 1; }
            }
        }

        /// <summary>Null: an exact count needs a pass over the file; use <see cref="ProgressFraction"/>.</summary>
        public Task<long?> CountAsync(CancellationToken cancellation) => Task.FromResult<long?>(null);

        public async IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            long skip = FilePosition.Parse(resumeAfterPosition);
            await Task.Yield();
            using FileStream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            stream = file;
            using var reader = new StreamReader(file, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var scanner = new JsonDocumentScanner(reader);
            long ordinal = 0;
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                (string Json, int Line)? next;
                try { next = scanner.Next(); }
                catch (FormatException ex) { throw Malformed(ordinal + 1, ex.Message); }
                if (next == null) break;
                ordinal++;
                if (ordinal <= skip) continue;
                BsonDocument document;
                try { document = BsonDocument.Parse(next.Value.Json); }
                catch (Exception ex) when (ex is FormatException || ex is MongoDB.Bson.BsonException || ex is InvalidOperationException || ex is ArgumentException)
                {
                    throw Malformed(ordinal, $"line {next.Value.Line}: {Redact(ex.Message)}");
                }
                yield return new SourceDocument(document, ordinal.ToString(CultureInfo.InvariantCulture));
            }
        }

        private EcommerceException Malformed(long ordinal, string what) =>
            new EcommerceException("SourceDocumentMalformed", ErrorCategory.InvalidData, path,
                $"'{path}' document #{ordinal}, {what}",
                "Fix or remove that document (mongoexport writes Extended JSON v2), then run again: the run resumes before it.");

        // Parser messages can quote a token; long quoted text could be a user's data (a password hash): cut it.
        private static readonly Regex LongQuote = new Regex("'[^']{17,}'", RegexOptions.CultureInvariant);
        internal static string Redact(string message) => LongQuote.Replace(message ?? "", "'…'");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Positions of file sources: the 1-based ordinal of the last document handled.</summary>
    internal static class FilePosition
    {
        public static long Parse(string position)
        {
            if (position == null) return 0;
            if (!long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out long ordinal))
                throw new ArgumentException($"'{position}' is not a file checkpoint (a document ordinal).", nameof(position));
            return ordinal;
        }
    }
}
