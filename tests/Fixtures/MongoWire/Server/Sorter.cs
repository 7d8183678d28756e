using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Stable multi-key sort in BSON comparison order, as find/aggregate $sort do it.</summary>
internal static class Sorter
{
    public static List<BsonDocument> Sort(IEnumerable<BsonDocument> documents, BsonDocument spec)
    {
        if (spec == null || spec.ElementCount == 0)
        {
            return documents.ToList();
        }

        if (spec.ElementCount == 1 && spec.GetElement(0).Name == "$natural")
        {
            var natural = documents.ToList();
            if (Direction(spec.GetElement(0)) < 0)
            {
                natural.Reverse();
            }

            return natural;
        }

        var keys = spec.Elements.Select(e => (Path: e.Name, Direction: Direction(e))).ToArray();
        // Keys are resolved once per document; LINQ OrderBy is stable, so ties keep natural order.
        return documents
            .Select(d => (Document: d, Values: keys.Select(k => SortValue(d, k.Path, k.Direction)).ToArray()))
            .OrderBy(x => x.Values, Comparer<BsonValue[]>.Create((a, b) =>
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    var c = BsonOrder.Compare(a[i], b[i]) * keys[i].Direction;
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return 0;
            }))
            .Select(x => x.Document)
            .ToList();
    }

    private static int Direction(BsonElement element)
    {
        if (!element.Value.IsNumeric)
        {
            throw CommandException.BadValue($"$sort key ordering must be 1 (for ascending) or -1 (for descending): {element.Name}");
        }

        var direction = element.Value.ToDouble();
        return direction switch
        {
            1 => 1,
            -1 => -1,
            _ => throw CommandException.BadValue($"$sort key ordering must be 1 (for ascending) or -1 (for descending): {element.Name}"),
        };
    }

    /// <summary>Missing sorts as null; an array sorts by its smallest (asc) or largest (desc) element.</summary>
    private static BsonValue SortValue(BsonDocument document, string path, int direction)
    {
        var value = FieldPath.Resolve(document, path) ?? BsonNull.Value;
        if (value is BsonArray array && array.Count > 0)
        {
            return direction > 0
                ? array.Aggregate((m, v) => BsonOrder.Compare(v, m) < 0 ? v : m)
                : array.Aggregate((m, v) => BsonOrder.Compare(v, m) > 0 ? v : m);
        }

        return value;
    }
}
