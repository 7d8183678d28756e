using System;
using System.Collections.Generic;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>MongoDB's cross-type BSON comparison order, used by sort, range operators and equality.</summary>
internal static class BsonOrder
{
    /// <summary>Canonical type bracket; values of different brackets never match a range operator.</summary>
    public static int Bracket(BsonValue value) => value.BsonType switch
    {
        BsonType.MinKey => 1,
        BsonType.Undefined or BsonType.Null => 2,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 3,
        BsonType.String or BsonType.Symbol => 4,
        BsonType.Document => 5,
        BsonType.Array => 6,
        BsonType.Binary => 7,
        BsonType.ObjectId => 8,
        BsonType.Boolean => 9,
        BsonType.DateTime => 10,
        BsonType.Timestamp => 11,
        BsonType.RegularExpression => 12,
        BsonType.JavaScript or BsonType.JavaScriptWithScope => 13,
        BsonType.MaxKey => 14,
        _ => 0,
    };

    public static bool AreEqual(BsonValue a, BsonValue b) => Bracket(a) == Bracket(b) && Compare(a, b) == 0;

    public static int Compare(BsonValue a, BsonValue b)
    {
        var bracket = Bracket(a).CompareTo(Bracket(b));
        if (bracket != 0)
        {
            return bracket;
        }

        switch (a.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
            case BsonType.Double:
            case BsonType.Decimal128:
                return CompareNumbers(a, b);
            case BsonType.String:
            case BsonType.Symbol:
                return string.CompareOrdinal(StringOf(a), StringOf(b));
            case BsonType.Document:
                return CompareDocuments(a.AsBsonDocument, b.AsBsonDocument);
            case BsonType.Array:
                return CompareArrays(a.AsBsonArray, b.AsBsonArray);
            case BsonType.Binary:
                return CompareBinary(a.AsBsonBinaryData, b.AsBsonBinaryData);
            case BsonType.ObjectId:
                return a.AsObjectId.CompareTo(b.AsObjectId);
            case BsonType.Boolean:
                return a.AsBoolean.CompareTo(b.AsBoolean);
            case BsonType.DateTime:
                return a.AsBsonDateTime.MillisecondsSinceEpoch.CompareTo(b.AsBsonDateTime.MillisecondsSinceEpoch);
            case BsonType.Timestamp:
                return ((ulong)a.AsBsonTimestamp.Value).CompareTo((ulong)b.AsBsonTimestamp.Value);
            case BsonType.RegularExpression:
                var pattern = string.CompareOrdinal(a.AsBsonRegularExpression.Pattern, b.AsBsonRegularExpression.Pattern);
                return pattern != 0 ? pattern : string.CompareOrdinal(a.AsBsonRegularExpression.Options, b.AsBsonRegularExpression.Options);
            case BsonType.JavaScript:
            case BsonType.JavaScriptWithScope:
                return string.CompareOrdinal(a.AsBsonJavaScript.Code, b.AsBsonJavaScript.Code);
            default:
                return 0; // MinKey, MaxKey, Null, Undefined: one value per bracket
        }
    }

    private static string StringOf(BsonValue value) => value.IsString ? value.AsString : value.AsBsonSymbol.Name;

    private static int CompareNumbers(BsonValue a, BsonValue b)
    {
        if (a.BsonType is BsonType.Int32 or BsonType.Int64 && b.BsonType is BsonType.Int32 or BsonType.Int64)
        {
            return a.ToInt64().CompareTo(b.ToInt64());
        }

        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            var da = a.ToDecimal128();
            var db = b.ToDecimal128();
            // System.Decimal is exact where it fits; NaN/infinities/huge values fall back to double.
            if (!Decimal128.IsNaN(da) && !Decimal128.IsNaN(db) && !Decimal128.IsInfinity(da) && !Decimal128.IsInfinity(db))
            {
                try
                {
                    return Decimal128.ToDecimal(da).CompareTo(Decimal128.ToDecimal(db));
                }
                catch (OverflowException)
                {
                }
            }
        }

        // double.CompareTo already orders NaN below every number, as MongoDB does.
        return a.ToDouble().CompareTo(b.ToDouble());
    }

    private static int CompareDocuments(BsonDocument a, BsonDocument b)
    {
        var count = Math.Min(a.ElementCount, b.ElementCount);
        for (var i = 0; i < count; i++)
        {
            var ea = a.GetElement(i);
            var eb = b.GetElement(i);
            var result = Bracket(ea.Value).CompareTo(Bracket(eb.Value));
            if (result == 0)
            {
                result = string.CompareOrdinal(ea.Name, eb.Name);
            }

            if (result == 0)
            {
                result = Compare(ea.Value, eb.Value);
            }

            if (result != 0)
            {
                return result;
            }
        }

        return a.ElementCount.CompareTo(b.ElementCount);
    }

    private static int CompareArrays(BsonArray a, BsonArray b)
    {
        var count = Math.Min(a.Count, b.Count);
        for (var i = 0; i < count; i++)
        {
            var result = Compare(a[i], b[i]);
            if (result != 0)
            {
                return result;
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    private static int CompareBinary(BsonBinaryData a, BsonBinaryData b)
    {
        var result = a.Bytes.Length.CompareTo(b.Bytes.Length);
        if (result == 0)
        {
            result = ((int)a.SubType).CompareTo((int)b.SubType);
        }

        return result != 0 ? result : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes);
    }
}

/// <summary>Equality with MongoDB semantics (1 == 1L == 1.0) for _id uniqueness and $group keys.</summary>
internal sealed class BsonValueEquality : IEqualityComparer<BsonValue>
{
    public static readonly BsonValueEquality Instance = new();

    public bool Equals(BsonValue x, BsonValue y) => BsonOrder.AreEqual(x, y);

    public int GetHashCode(BsonValue value) => value.BsonType switch
    {
        // Numbers hash by value so equal numbers of different types land in the same bucket.
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => value.ToDouble().GetHashCode(),
        BsonType.Null or BsonType.Undefined => 0,
        _ => value.GetHashCode(),
    };
}
