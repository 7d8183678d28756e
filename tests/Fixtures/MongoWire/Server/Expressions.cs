using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>The small slice of aggregation expressions the fixture supports: "$field.path",
/// {$literal}, nested documents/arrays of those, and constants.</summary>
internal static class Expressions
{
    /// <summary>Evaluates expression against document; null (C# null) means "missing".</summary>
    public static BsonValue Evaluate(BsonValue expression, BsonDocument document)
    {
        switch (expression)
        {
            case BsonString s when s.Value.StartsWith("$$", System.StringComparison.Ordinal):
                return s.Value == "$$ROOT" || s.Value == "$$CURRENT"
                    ? document
                    : throw new CommandException(17276, "Location17276", $"Use of undefined variable: {s.Value[2..]}");
            case BsonString s when s.Value.StartsWith('$'):
                return FieldPath.Resolve(document, s.Value[1..]);
            case BsonDocument d when d.ElementCount == 1 && d.GetElement(0).Name == "$literal":
                return d[0];
            case BsonDocument d when d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$'):
                throw new CommandException(168, "InvalidPipelineOperator", $"Unrecognized expression '{d.GetElement(0).Name}'");
            case BsonDocument d:
                var result = new BsonDocument();
                foreach (var element in d)
                {
                    var value = Evaluate(element.Value, document);
                    if (value != null)
                    {
                        result[element.Name] = value;
                    }
                }

                return result;
            case BsonArray a:
                return new BsonArray(a.Select(item => Evaluate(item, document) ?? BsonNull.Value));
            default:
                return expression;
        }
    }
}
