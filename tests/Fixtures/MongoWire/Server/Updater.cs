using System;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Applies an update spec: a replacement document or the operators $set, $unset, $inc,
/// $setOnInsert and $push (top-level or dotted paths through sub-documents).</summary>
internal sealed class Updater
{
    private static readonly string[] Supported = { "$set", "$unset", "$inc", "$setOnInsert", "$push" };

    private readonly BsonDocument _spec;

    public Updater(BsonValue spec)
    {
        _spec = spec as BsonDocument
            ?? throw new CommandException(9, "FailedToParse", "Update argument must be a document (pipeline updates are not supported by the fixture)");
        IsReplacement = _spec.ElementCount == 0 || !_spec.GetElement(0).Name.StartsWith('$');
        foreach (var element in _spec.Elements)
        {
            if (element.Name.StartsWith('$') == IsReplacement)
            {
                throw new CommandException(9, "FailedToParse", "Cannot mix update operators and replacement fields");
            }

            if (!IsReplacement && (!Supported.Contains(element.Name) || element.Value is not BsonDocument))
            {
                throw new CommandException(9, "FailedToParse", $"Unknown or malformed modifier: {element.Name}");
            }
        }
    }

    public bool IsReplacement { get; }

    public BsonDocument Spec => _spec;

    /// <summary>Returns a new document; the stored one is never mutated (open cursors may hold it).</summary>
    public BsonDocument Apply(BsonDocument original, bool inserting)
    {
        if (IsReplacement)
        {
            var replacement = new BsonDocument("_id", original.GetValue("_id", ObjectId.GenerateNewId()));
            if (_spec.TryGetValue("_id", out var newId) && !BsonOrder.AreEqual(newId, replacement["_id"]))
            {
                throw new CommandException(66, "ImmutableField", "After applying the update, the (immutable) field '_id' was found to have been altered");
            }

            replacement.AddRange(_spec.Elements.Where(e => e.Name != "_id"));
            return replacement;
        }

        var updated = original.DeepClone().AsBsonDocument;
        foreach (var group in _spec.Elements)
        {
            if (group.Name == "$setOnInsert" && !inserting)
            {
                continue;
            }

            foreach (var field in group.Value.AsBsonDocument)
            {
                if (field.Name == "_id" || field.Name.StartsWith("_id.", StringComparison.Ordinal))
                {
                    throw new CommandException(66, "ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");
                }

                ApplyOne(updated, group.Name, field.Name, field.Value);
            }
        }

        return updated;
    }

    private static void ApplyOne(BsonDocument document, string op, string path, BsonValue argument)
    {
        var segments = path.Split('.');
        var parent = document;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (!parent.TryGetValue(segments[i], out var child))
            {
                if (op == "$unset")
                {
                    return;
                }

                child = new BsonDocument();
                parent[segments[i]] = child;
            }

            parent = child as BsonDocument
                ?? throw new CommandException(28, "PathNotViable", $"Cannot create field '{segments[i + 1]}' in element {{{segments[i]}: {child}}}");
        }

        var name = segments[^1];
        switch (op)
        {
            case "$set":
            case "$setOnInsert":
                parent[name] = argument;
                break;
            case "$unset":
                parent.Remove(name);
                break;
            case "$inc":
                var current = parent.GetValue(name, new BsonInt32(0));
                if (!current.IsNumeric || !argument.IsNumeric)
                {
                    throw new CommandException(14, "TypeMismatch", $"Cannot apply $inc to a value of non-numeric type at '{path}'");
                }

                parent[name] = Add(current, argument);
                break;
            case "$push":
                var array = parent.GetValue(name, new BsonArray());
                if (array is not BsonArray existing)
                {
                    throw new CommandException(2, "BadValue", $"The field '{path}' must be an array");
                }

                var copy = new BsonArray(existing);
                if (argument is BsonDocument each && each.TryGetValue("$each", out var items) && items is BsonArray itemArray)
                {
                    copy.AddRange(itemArray);
                }
                else
                {
                    copy.Add(argument);
                }

                parent[name] = copy;
                break;
        }
    }

    private static BsonValue Add(BsonValue a, BsonValue b)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            return new BsonDecimal128(Decimal128.ToDecimal(a.ToDecimal128()) + Decimal128.ToDecimal(b.ToDecimal128()));
        }

        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            return new BsonDouble(a.ToDouble() + b.ToDouble());
        }

        var sum = a.ToInt64() + b.ToInt64();
        return a.BsonType == BsonType.Int64 || b.BsonType == BsonType.Int64 ? new BsonInt64(sum) : Numbers.Narrow(sum);
    }
}
