using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// A mongodump collection file (<c>.bson</c>, or <c>.bson.gz</c> from <c>mongodump --gzip</c>): BSON documents
    /// back to back, each prefixed by its int32 length. Streamed one document at a time; Position = 1-based ordinal.
    /// A document whose bytes do not decode (its length prefix intact) is a malformed document with its byte offset and the
    /// decoder's message, and the read goes on; a corrupt gzip stream or a length prefix that loses the framing stops it.
    /// </summary>
    internal sealed class BsonDumpSource : IDocumentSource
    {
        /// <summary>MongoDB's document limit (16 MB) plus slack; a bigger length prefix means a corrupt file.</summary>
        private const int MaxDocumentBytes = 16 * 1024 * 1024 + 16 * 1024;

        private readonly string path;
        private readonly bool gzip;
        private readonly long length;
        private FileStream stream;

        public BsonDumpSource(string path, bool gzip)
        {
            this.path = path;
            this.gzip = gzip;
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

        /// <summary>Uncompressed dumps are counted by hopping over the length prefixes; gzip dumps give null.</summary>
        public async Task<long?> CountAsync(CancellationToken cancellation)
        {
            if (gzip) return null;
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            var prefix = new byte[4];
            long count = 0;
            while (file.Position < file.Length)
            {
                cancellation.ThrowIfCancellationRequested();
                if (await ReadFullyAsync(file, prefix, 4, cancellation).ConfigureAwait(false) < 4) break;
                int size = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                if (size < 5) return null; // corrupt: let the read report where
                file.Seek(size - 4, SeekOrigin.Current);
                count++;
            }
            return count;
        }

        /// <summary>A gzip dump counted by decompressing and hopping over the length prefixes (no decoding); null if the framing breaks.</summary>
        public async Task<long?> CountByScanningAsync(CancellationToken cancellation)
        {
            if (!gzip) return null; // CountAsync already counts these
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using var input = new GZipStream(file, CompressionMode.Decompress);
            var prefix = new byte[4];
            var skip = new byte[1 << 16];
            long count = 0;
            try
            {
                while (true)
                {
                    cancellation.ThrowIfCancellationRequested();
                    int got = await ReadFullyAsync(input, prefix, 4, cancellation).ConfigureAwait(false);
                    if (got == 0) return count;
                    int size = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                    if (got < 4 || size < 5 || size > MaxDocumentBytes) return null;
                    for (int left = size - 4; left > 0;)
                    {
                        int read = await input.ReadAsync(skip.AsMemory(0, Math.Min(left, skip.Length)), cancellation).ConfigureAwait(false);
                        if (read == 0) return null;
                        left -= read;
                    }
                    count++;
                }
            }
            catch (InvalidDataException) { return null; }
        }

        public IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, CancellationToken cancellation) =>
            ReadFromAsync(resumeAfterPosition, long.MaxValue, trackProgress: true, cancellation);

        public async IAsyncEnumerable<BsonValue> ReadKeyIdsAsync(string upToPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            await foreach (SourceDocument document in ReadFromAsync(null, FilePosition.Parse(upToPosition), trackProgress: false, cancellation).ConfigureAwait(false))
                if (document.Document != null && document.Document.TryGetValue("_id", out BsonValue id)) yield return id;
        }

        private async IAsyncEnumerable<SourceDocument> ReadFromAsync(string resumeAfterPosition, long lastOrdinal, bool trackProgress, [EnumeratorCancellation] CancellationToken cancellation)
        {
            long skip = FilePosition.Parse(resumeAfterPosition);
            using FileStream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            if (trackProgress) stream = file;
            using Stream input = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            var prefix = new byte[4];
            long ordinal = 0, offset = 0;
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                int got;
                try { got = await ReadFullyAsync(input, prefix, 4, cancellation).ConfigureAwait(false); }
                catch (InvalidDataException ex) { throw Malformed(ordinal + 1, offset, "the gzip stream is corrupt: " + ex.Message); }
                if (got == 0) break;
                ordinal++;
                if (ordinal > lastOrdinal) break;
                if (got < 4) throw Malformed(ordinal, offset, "the file ends inside a length prefix");
                int size = BinaryPrimitives.ReadInt32LittleEndian(prefix);
                if (size < 5 || size > MaxDocumentBytes) throw Malformed(ordinal, offset, $"length prefix {size} is not a BSON document length");
                var bytes = new byte[size];
                prefix.CopyTo(bytes, 0);
                int body;
                try { body = await ReadFullyAsync(input, bytes.AsMemory(4), size - 4, cancellation).ConfigureAwait(false); }
                catch (InvalidDataException ex) { throw Malformed(ordinal, offset, "the gzip stream is corrupt: " + ex.Message); }
                if (body < size - 4) throw Malformed(ordinal, offset, $"the file ends {size - 4 - body} bytes before the document does");
                offset += size;
                if (ordinal <= skip) continue;
                BsonDocument document = null;
                string problem = null;
                try { document = BsonSerializer.Deserialize<BsonDocument>(bytes); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The length prefix held, so the next document starts where it said: skip this one, keep reading.
                    problem = $"'{path}' document #{ordinal} (byte {(offset - size).ToString(CultureInfo.InvariantCulture)}{(gzip ? " uncompressed" : "")}): the BSON does not decode: {ExtendedJsonFileSource.Redact(ex.Message)}";
                }
                string position = ordinal.ToString(CultureInfo.InvariantCulture);
                yield return problem == null ? new SourceDocument(document, position) : SourceDocument.MalformedAt(position, problem);
            }
        }

        private EcommerceException Malformed(long ordinal, long offset, string what) =>
            new EcommerceException("SourceDocumentMalformed", ErrorCategory.InvalidData, path,
                $"'{path}' document #{ordinal} (byte {offset.ToString(CultureInfo.InvariantCulture)}{(gzip ? " uncompressed" : "")}): {what}.",
                "The dump is damaged: take it again with mongodump, or run from the MongoDB server with -MongoUri.");

        private static Task<int> ReadFullyAsync(Stream input, byte[] buffer, int count, CancellationToken cancellation) =>
            ReadFullyAsync(input, buffer.AsMemory(0, count), count, cancellation);

        private static async Task<int> ReadFullyAsync(Stream input, Memory<byte> buffer, int count, CancellationToken cancellation)
        {
            int total = 0;
            while (total < count)
            {
                int n = await input.ReadAsync(buffer.Slice(total, count - total), cancellation).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
            return total;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
