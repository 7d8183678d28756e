using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Top-level find projection / $project: inclusion ({a:1}), exclusion ({a:0}) or computed ({x:"$a"}).
/// Dotted paths include/exclude their whole top-level field.</summary>
internal sealed class Projection
{
    private readonly bool _includeId = true;
    private readonly HashSet<string> _excluded = new();
    private readonly List<(string Field, BsonValue Expression)> _included = new();

    private Projection(BsonDocument spec)
    {
        foreach (var element in spec)
        {
            var field = element.Name.Split('.')[0];
            var value = element.Value;
            var isFlag = value.IsBoolean || value.IsNumeric;
            if (field == "_id" && isFlag)
            {
                _includeId = value.ToBoolean();
            }
            else if (isFlag && !value.ToBoolean())
            {
                _excluded.Add(field);
            }
            else
            {
                _included.Add((field, isFlag ? null : value));
            }
        }

        if (_included.Count > 0 && _excluded.Count > 0)
        {
            throw new CommandException(31254, "Location31254", "Cannot do exclusion in an inclusion projection");
        }
    }

    /// <summary>Null when the spec is empty (no projection).</summary>
    public static Projection Create(BsonValue spec) =>
        spec is BsonDocument document && document.ElementCount > 0 ? new Projection(document) : null;

    public BsonDocument Apply(BsonDocument document)
    {
        if (_included.Count == 0)
        {
            return new BsonDocument(document.Elements.Where(e => !_excluded.Contains(e.Name) && (_includeId || e.Name != "_id")));
        }

        var result = new BsonDocument();
        if (_includeId && document.TryGetValue("_id", out var id))
        {
            result["_id"] = id;
        }

        foreach (var (field, expression) in _included)
        {
            var value = expression == null
                ? (document.TryGetValue(field, out var stored) ? stored : null)
                : Expressions.Evaluate(expression, document);
            if (value != null)
            {
                result[field] = value;
            }
        }

        return result;
    }
}
