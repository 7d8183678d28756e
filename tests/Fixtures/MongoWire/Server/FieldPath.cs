using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Dotted-path lookup ("a.b.c") with MongoDB's implicit descent into arrays of documents.</summary>
internal static class FieldPath
{
    /// <summary>The value at path, or null (C# null) when the field is missing.</summary>
    public static BsonValue Resolve(BsonValue root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            current = Step(current, segment);
            if (current == null)
            {
                return null;
            }
        }

        return current;
    }

    private static BsonValue Step(BsonValue value, string segment)
    {
        switch (value)
        {
            case BsonDocument document:
                return document.TryGetValue(segment, out var child) ? child : null;
            case BsonArray array when int.TryParse(segment, out var index):
                return index >= 0 && index < array.Count ? array[index] : null;
            case BsonArray array:
                // "items.sku" over an array of documents yields the array of their sku values.
                var collected = new BsonArray();
                foreach (var element in array)
                {
                    var found = Step(element, segment);
                    if (found != null)
                    {
                        collected.Add(found);
                    }
                }

                return collected.Count > 0 ? collected : null;
            default:
                return null;
        }
    }
}
