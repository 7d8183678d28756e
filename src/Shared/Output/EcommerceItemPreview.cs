using System.Collections.Specialized;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>
    /// What one MongoDB document becomes in the single table (ConvertTo-EcommerceItem): its keys and attributes,
    /// or why it would be rejected. A reject is a normal result with Rejected = $true, not an error.
    /// </summary>
    public sealed class EcommerceItemPreview
    {
        public EcommerceEntity Entity { get; init; }
        /// <summary>The Mongo _id as a string (24 hex characters for an ObjectId).</summary>
        public string Id { get; init; }
        public string PK { get; init; }
        public string SK { get; init; }
        public string GSI1PK { get; init; }
        public string GSI1SK { get; init; }
        /// <summary>PK and SK as one text, "PRODUCT#… / PRODUCT#…".</summary>
        public string Key { get; init; }
        public bool Rejected { get; init; }
        /// <summary>A reject reason (README, "Reject reasons"): MissingField, InvalidId, InvalidNumber, UnsupportedBsonType, InvalidKey, KeyTooLong, NestingTooDeep, InvalidAttributeName, InvalidString, ItemTooLarge; MalformedDocument and DuplicateKey when a whole source is previewed (DuplicateEmail is found by the migration run).</summary>
        public string RejectReason { get; init; }
        /// <summary>Dotted path of the offending field, e.g. "price" or "items.2.qty".</summary>
        public string RejectField { get; init; }
        public string RejectDetail { get; init; }
        /// <summary>Item size by DynamoDB's rules (0 for a reject).</summary>
        public int SizeBytes { get; init; }
        /// <summary>Write units one put of this item costs on the table, excluding the GSI1 write (1 per started KB).</summary>
        public int WriteUnits { get; init; }
        /// <summary>
        /// Attribute name → DynamoDB JSON value (@{ S = '…' }, @{ N = '…' }, @{ L = @(…) }, @{ M = [ordered]@{…} }, @{ B = 'base64' },
        /// @{ BOOL = $true }, @{ NULL = $true }). Secret-looking attributes (password, …hash, …token, …secret) read ****.
        /// </summary>
        public OrderedDictionary Item { get; init; }
    }
}
