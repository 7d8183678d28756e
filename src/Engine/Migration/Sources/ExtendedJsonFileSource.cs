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
    /// streamed. Position = the document's 1-based ordinal in the file. A document that does not parse (bad JSON, a bad
    /// <c>$numberDecimal</c>, <c>$oid</c> or <c>$date</c>) is a malformed document with its line and the parser's message,
    /// and the read goes on; only a file that cannot be opened or decoded stops it.
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
            Identity = new SourceIdentity(SourceIdentity.FileKind, path, FileFingerprint.Of(path));
        }

        public string Description { get; }
        public SourceIdentity Identity { get; }
        public bool UniqueSortedIds => false;

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

        /// <summary>The documents of the file, by the scanner's framing alone (no parsing); a malformed piece counts as one, as the read rejects it as one.</summary>
        public Task<long?> CountByScanningAsync(CancellationToken cancellation) => Task.Run<long?>(() =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            using var reader = new StreamReader(file, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var scanner = new JsonDocumentScanner(reader);
            long count = 0;
            while (scanner.Next() != null)
            {
                if ((++count & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            }
            return count;
        }, cancellation);

        public async IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            await foreach (SourceDocument document in ReadFromAsync(resumeAfterPosition, trackProgress: true, cancellation).ConfigureAwait(false))
                yield return document;
        }

        public async IAsyncEnumerable<BsonValue> ReadKeyIdsAsync(string upToPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            long last = FilePosition.Parse(upToPosition);
            await foreach (SourceDocument document in ReadFromAsync(null, trackProgress: false, cancellation).ConfigureAwait(false))
            {
                if (FilePosition.Parse(document.Position) > last) yield break;
                if (document.Document != null && document.Document.TryGetValue("_id", out BsonValue id)) yield return id;
            }
        }

        private async IAsyncEnumerable<SourceDocument> ReadFromAsync(string resumeAfterPosition, bool trackProgress, [EnumeratorCancellation] CancellationToken cancellation)
        {
            long skip = FilePosition.Parse(resumeAfterPosition);
            await Task.Yield();
            using FileStream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            if (trackProgress) stream = file;
            using var reader = new StreamReader(file, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            var scanner = new JsonDocumentScanner(reader);
            long ordinal = 0;
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                JsonDocumentScanner.Piece? next = scanner.Next();
                if (next == null) break;
                ordinal++;
                if (ordinal <= skip) continue;
                string position = ordinal.ToString(CultureInfo.InvariantCulture);
                if (next.Value.Problem != null)
                {
                    yield return SourceDocument.MalformedAt(position, $"'{path}' document #{ordinal}, {next.Value.Problem}");
                    continue;
                }
                BsonDocument document = null;
                string problem = null;
                try { document = BsonDocument.Parse(next.Value.Json); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    problem = $"'{path}' document #{ordinal}, line {next.Value.Line}: {Redact(ex.Message)}";
                }
                yield return problem == null ? new SourceDocument(document, position) : SourceDocument.MalformedAt(position, problem);
            }
        }

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
