using System;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>Order of positions within one source: file ordinals, or MongoDB _ids in MongoDB's sort order.</summary>
    internal static class SourcePositions
    {
        /// <summary>
        /// True when <paramref name="position"/> comes after <paramref name="checkpoint"/> in <paramref name="source"/>'s order
        /// (also when either cannot be compared: callers use it to keep a record, so erring towards "after" is safe).
        /// </summary>
        public static bool After(IDocumentSource source, string position, string checkpoint)
        {
            if (checkpoint == null) return true;
            if (!source.UniqueSortedIds)
                return long.TryParse(position, out long a) && long.TryParse(checkpoint, out long b) ? a > b : true;
            try
            {
                BsonValue x = BsonDocument.Parse("{\"_id\":" + position + "}")["_id"];
                BsonValue y = BsonDocument.Parse("{\"_id\":" + checkpoint + "}")["_id"];
                int bracket = Bracket(x).CompareTo(Bracket(y));
                if (bracket != 0) return bracket > 0;
                if (x.IsNumeric && y.IsNumeric) return x.ToDecimal128() > y.ToDecimal128();
                if (x.IsString && y.IsString) return string.CompareOrdinal(x.AsString, y.AsString) > 0;
                if (x.IsObjectId && y.IsObjectId) return x.AsObjectId.CompareTo(y.AsObjectId) > 0;
                return true;
            }
            catch (Exception ex) when (ex is FormatException || ex is BsonException || ex is InvalidCastException || ex is OverflowException)
            {
                return true;
            }
        }

        private static int Bracket(BsonValue value) => value.BsonType switch
        {
            BsonType.MinKey => 0,
            BsonType.Null or BsonType.Undefined => 1,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 2,
            BsonType.String or BsonType.Symbol => 3,
            BsonType.Document => 4,
            BsonType.Array => 5,
            BsonType.Binary => 6,
            BsonType.ObjectId => 7,
            BsonType.Boolean => 8,
            BsonType.DateTime => 9,
            BsonType.Timestamp => 10,
            BsonType.RegularExpression => 11,
            BsonType.MaxKey => 100,
            _ => 50,
        };
    }
}
