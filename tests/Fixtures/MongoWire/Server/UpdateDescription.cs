using System;
using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Builds an update event's updateDescription from the document before and after an operator
/// update, the way mongod's v2 oplog diffs come out: a field the update replaced is reported whole; the
/// diff descends into a sub-document or array only where the update named a path inside it ($set "a.b",
/// $push "tags"), so appended array elements show as "tags.3" and shrunk arrays in truncatedArrays.</summary>
internal static class UpdateDescription
{
    public static BsonDocument Describe(BsonDocument before, BsonDocument after, BsonDocument updateSpec)
    {
        // Paths the operators named; $push works inside the array it names.
        var targets = new List<string>();
        foreach (var group in updateSpec.Elements)
        {
            foreach (var field in group.Value.AsBsonDocument.Names)
            {
                targets.Add(group.Name == "$push" ? field + ".$" : field);
            }
        }

        var updated = new BsonDocument();
        var removed = new BsonArray();
        var truncated = new BsonArray();
        DiffDocuments(before, after, "", targets, updated, removed, truncated);
        return new BsonDocument
        {
            { "updatedFields", updated },
            { "removedFields", removed },
            { "truncatedArrays", truncated },
        };
    }

    private static void DiffDocuments(BsonDocument before, BsonDocument after, string prefix, List<string> targets,
        BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        foreach (var element in before.Elements.Where(e => !after.Contains(e.Name)))
        {
            removed.Add(prefix + element.Name);
        }

        foreach (var element in after.Elements)
        {
            var path = prefix + element.Name;
            if (!before.TryGetValue(element.Name, out var old))
            {
                updated[path] = element.Value;
            }
            else if (Same(old, element.Value))
            {
                continue;
            }
            else if (old is BsonDocument oldDocument && element.Value is BsonDocument newDocument && Inside(path, targets))
            {
                DiffDocuments(oldDocument, newDocument, path + ".", targets, updated, removed, truncated);
            }
            else if (old is BsonArray oldArray && element.Value is BsonArray newArray && Inside(path, targets))
            {
                DiffArrays(oldArray, newArray, path, targets, updated, removed, truncated);
            }
            else
            {
                updated[path] = element.Value;
            }
        }
    }

    private static void DiffArrays(BsonArray before, BsonArray after, string path, List<string> targets,
        BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        if (after.Count < before.Count)
        {
            truncated.Add(new BsonDocument { { "field", path }, { "newSize", after.Count } });
        }

        for (var i = 0; i < after.Count; i++)
        {
            var itemPath = $"{path}.{i}";
            if (i >= before.Count)
            {
                updated[itemPath] = after[i];
            }
            else if (!Same(before[i], after[i]))
            {
                if (before[i] is BsonDocument oldItem && after[i] is BsonDocument newItem && Inside(itemPath, targets))
                {
                    DiffDocuments(oldItem, newItem, itemPath + ".", targets, updated, removed, truncated);
                }
                else
                {
                    updated[itemPath] = after[i];
                }
            }
        }
    }

    private static bool Inside(string path, List<string> targets) =>
        targets.Any(t => t.StartsWith(path + ".", StringComparison.Ordinal));

    // Type-exact: 1 → 1.0 is a change in the oplog even though the values compare equal.
    private static bool Same(BsonValue a, BsonValue b) => a.BsonType == b.BsonType && a.Equals(b);
}
