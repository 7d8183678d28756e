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

        public BsonDocument Document { get; }

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

        /// <summary>Fraction read so far (0..1) for files (bytes read / file size); null when unknown (use counts instead).</summary>
        double? ProgressFraction { get; }

        /// <summary>Documents strictly after <paramref name="resumeAfterPosition"/> (null: from the start).</summary>
        IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, CancellationToken cancellation);
    }

    /// <summary>Why a document was not written (docs/DESIGN.md §4). The names are the reject records' "reason" values.</summary>
    internal enum RejectReason
    {
        MissingField,
        InvalidNumber,
        UnsupportedBsonType,
        ItemTooLarge,
        DuplicateEmail,
        InvalidId,
    }

    /// <summary>A rejected document: written to the rejects file as JSON lines {entity, _id, reason, field, detail}.</summary>
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
