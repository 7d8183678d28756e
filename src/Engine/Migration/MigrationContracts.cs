using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration
{
    // The seam between the source side (readers + mapping) and the migration engine (writers, checkpoints, status).
    // Implementations: Sources/* and Mapping/*. Keep these shapes stable; both sides code against them.

    /// <summary>One source document with its position in the source's order (opaque, used as the checkpoint).</summary>
    internal sealed class SourceDocument
    {
        public SourceDocument(BsonDocument document, string position)
        {
            Document = document;
            Position = position;
        }

        /// <summary>A document of the source that does not parse: it still has a position (the checkpoint moves past it).</summary>
        public static SourceDocument MalformedAt(string position, string problem) => new SourceDocument(null, position) { Malformed = problem };

        /// <summary>The document; null when <see cref="Malformed"/> is set.</summary>
        public BsonDocument Document { get; }

        /// <summary>Why this document could not be read (file, line or byte offset, the parser's message); null for a good document.</summary>
        public string Malformed { get; private init; }

        /// <summary>
        /// Where this document stands in the source's stable order: for MongoDB the _id as canonical Extended JSON
        /// (documents are read sorted by _id); for dump files the 1-based ordinal of the document in the file.
        /// Passing it back to <see cref="IDocumentSource.ReadAsync"/> resumes right after this document.
        /// </summary>
        public string Position { get; }
    }

    /// <summary>A stream of documents of one collection, in a stable order, never loaded whole in memory.</summary>
    internal interface IDocumentSource : IAsyncDisposable
    {
        /// <summary>Where the data comes from, safe to print (MongoDB passwords masked as ****).</summary>
        string Description { get; }

        /// <summary>Number of documents (CountDocuments for MongoDB; for files an exact count may need a pass, so null is allowed).</summary>
        Task<long?> CountAsync(CancellationToken cancellation);

        /// <summary>
        /// An exact count by one pass that only finds document boundaries (no parsing), for files whose <see cref="CountAsync"/> is
        /// null; run beside the migration so its progress can say "of N" and an interrupted run records its source count. Null
        /// when the source has no such pass (MongoDB counts directly) or the file cannot be framed (the read reports where).
        /// </summary>
        Task<long?> CountByScanningAsync(CancellationToken cancellation) => Task.FromResult<long?>(null);

        /// <summary>Fraction read so far (0..1) for files (bytes read / file size); null when unknown (use counts instead).</summary>
        double? ProgressFraction { get; }

        /// <summary>
        /// Documents strictly after <paramref name="resumeAfterPosition"/> (null: from the start). A document that does not parse
        /// comes as <see cref="SourceDocument.MalformedAt"/> and the read goes on; only a source that cannot be read any further
        /// (missing file, corrupt gzip stream, BSON framing lost) throws, naming the position.
        /// </summary>
        IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, CancellationToken cancellation);

        /// <summary>What this source is, to refuse resuming a checkpoint against another one (MigrationSourceChanged).</summary>
        SourceIdentity Identity { get; }

        /// <summary>
        /// The _ids at or before <paramref name="upToPosition"/> that a later document could share a key with (to rebuild the
        /// duplicate-key registry when a run resumes): for files every _id in file order; for MongoDB (unique _ids, read in _id
        /// order, where numbers sort before strings and strings before ObjectIds) only integer _ids and 24-hex string _ids.
        /// </summary>
        IAsyncEnumerable<BsonValue> ReadKeyIdsAsync(string upToPosition, CancellationToken cancellation);

        /// <summary>True when positions come in _id order from a collection with unique _ids (MongoDB); false for files.</summary>
        bool UniqueSortedIds { get; }
    }

    /// <summary>
    /// What a source is: its kind, where it is, and for files a content fingerprint (size and SHA-256 of the first and last
    /// 64 KiB), so a moved or copied dump is still the same source and a re-exported or different file is not.
    /// </summary>
    internal sealed class SourceIdentity
    {
        public const string FileKind = "File";
        public const string MongoKind = "MongoDB";

        public SourceIdentity(string kind, string location, string fingerprint)
        {
            Kind = kind;
            Location = location;
            Fingerprint = fingerprint;
        }

        public string Kind { get; }
        /// <summary>The full path of a file; database.collection for MongoDB.</summary>
        public string Location { get; }
        /// <summary>Files: "size=…;head=…;tail=…"; null for MongoDB (a live collection changes; it is the same source).</summary>
        public string Fingerprint { get; }

        /// <summary>
        /// Whether <paramref name="current"/> is this recorded source: the same kind and, for files, the same content (the path may
        /// differ) or this content with documents appended; for MongoDB the same database.collection.
        /// </summary>
        public bool AdmitsResumeFrom(SourceIdentity current)
        {
            if (current == null || Kind != current.Kind) return false;
            if (Kind != FileKind) return string.Equals(Location, current.Location, StringComparison.Ordinal);
            if (Fingerprint == current.Fingerprint) return true;
            try { return Sources.FileFingerprint.Continues(current.Location, Fingerprint); }
            catch (System.IO.IOException) { return false; }
        }

        public override string ToString() => Kind == FileKind ? $"file {Location} ({Fingerprint})" : $"MongoDB collection {Location}";
    }

    /// <summary>
    /// Why a document was not written. The names are the reject records' "reason" values and are stable; README's
    /// "Reject reasons" table documents each one.
    /// </summary>
    internal enum RejectReason
    {
        // Mapping (docs/DESIGN.md §4)
        MissingField,
        InvalidNumber,
        UnsupportedBsonType,
        ItemTooLarge,
        DuplicateEmail,
        InvalidId,
        // The source
        /// <summary>A line/document of the source that does not parse (bad JSON, bad Extended JSON value, undecodable BSON).</summary>
        MalformedDocument,
        /// <summary>Another document of the same entity already maps to the same key ("1" and 1, an ObjectId and its hex text, a repeated _id).</summary>
        DuplicateKey,
        // DynamoDB's item rules (ItemRules)
        /// <summary>A key attribute (PK, SK, GSI1PK, GSI1SK) missing, not a string, or empty.</summary>
        InvalidKey,
        /// <summary>A partition key over 2,048 bytes or a sort key over 1,024 bytes (UTF-8), table or GSI1.</summary>
        KeyTooLong,
        /// <summary>Lists/maps nested deeper than 32 levels.</summary>
        NestingTooDeep,
        /// <summary>An attribute name or map key that is empty or over 65,535 UTF-8 bytes.</summary>
        InvalidAttributeName,
        /// <summary>Text with an unpaired surrogate (no UTF-8 form).</summary>
        InvalidString,
        // The service
        /// <summary>DynamoDB refused the item although it passed our rules (ValidationException), isolated by splitting its batch.</summary>
        ServiceRejected,
    }

    /// <summary>A rejected document: written to the rejects file as JSON lines {entity, _id, reason, field, detail, position}.</summary>
    internal sealed class RejectRecord
    {
        public RejectRecord(EcommerceEntity entity, string id, RejectReason reason, string field, string detail)
        {
            Entity = entity;
            Id = id;
            Reason = reason;
            Field = field;
            Detail = detail;
        }

        /// <summary>The same reject at a source position (the engine sets it; the mapper does not know positions).</summary>
        public RejectRecord At(string position) => new RejectRecord(Entity, Id, Reason, Field, Detail) { Position = position };

        /// <summary>Where the document stands in the source (file ordinal or MongoDB _id as canonical Extended JSON); null when unknown.</summary>
        public string Position { get; private init; }

        public EcommerceEntity Entity { get; }
        public string Id { get; }
        public RejectReason Reason { get; }
        /// <summary>Dotted path of the offending field (e.g. "price", "items.2.qty"), or null.</summary>
        public string Field { get; }
        /// <summary>Human explanation; never contains field values of users (password hashes!).</summary>
        public string Detail { get; }
    }

    /// <summary>Either a DynamoDB item or a reject.</summary>
    internal sealed class MappingResult
    {
        private MappingResult(Dictionary<string, AttributeValue> item, string id, int sizeBytes, RejectRecord reject)
        {
            Item = item;
            Id = id;
            SizeBytes = sizeBytes;
            Reject = reject;
        }

        public Dictionary<string, AttributeValue> Item { get; }
        /// <summary>The Mongo _id as a string (24 hex chars for ObjectId).</summary>
        public string Id { get; }
        /// <summary>DynamoDB item size by DynamoDB's rules (attribute names + values), for the 400 KB limit and WCU estimates.</summary>
        public int SizeBytes { get; }
        public RejectRecord Reject { get; }
        public bool IsRejected => Reject != null;

        public static MappingResult Mapped(Dictionary<string, AttributeValue> item, string id, int sizeBytes) =>
            new MappingResult(item, id, sizeBytes, null);

        public static MappingResult Rejected(RejectRecord reject) => new MappingResult(null, reject.Id, 0, reject);
    }
}
