using System;
using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>One in-memory collection: documents in insertion (natural) order plus the unique _id set.</summary>
internal sealed class Collection
{
    private readonly List<BsonDocument> _documents = new();
    private readonly Dictionary<BsonValue, BsonDocument> _byId = new(BsonValueEquality.Instance);

    public Collection(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public Guid Uuid { get; } = Guid.NewGuid();

    /// <summary>changeStreamPreAndPostImages (create/collMod): the oplog keeps post-images of updates.</summary>
    public bool PreAndPostImages { get; set; }

    public int Count => _documents.Count;

    /// <summary>Adds the document; false when its _id already exists.</summary>
    public bool TryInsert(BsonDocument document)
    {
        if (!_byId.TryAdd(document["_id"], document))
        {
            return false;
        }

        _documents.Add(document);
        return true;
    }

    /// <summary>Copy of the document list so callers can filter and sort outside the store lock.</summary>
    public List<BsonDocument> Snapshot() => new(_documents);

    /// <summary>The stored document with this _id, or null.</summary>
    public BsonDocument FindById(BsonValue id) => _byId.TryGetValue(id, out var document) ? document : null;

    public int RemoveWhere(Func<BsonDocument, bool> predicate, bool justOne, Action<BsonDocument> onRemoved = null)
    {
        var removed = 0;
        for (var i = 0; i < _documents.Count; i++)
        {
            if (!predicate(_documents[i]))
            {
                continue;
            }

            _byId.Remove(_documents[i]["_id"]);
            onRemoved?.Invoke(_documents[i]);
            _documents.RemoveAt(i--);
            removed++;
            if (justOne)
            {
                break;
            }
        }

        return removed;
    }

    /// <summary>Swaps a stored document for a new version (documents are never mutated in place,
    /// so open cursors keep a consistent view).</summary>
    public void Replace(int index, BsonDocument replacement)
    {
        _documents[index] = replacement;
        _byId[replacement["_id"]] = replacement;
    }

    public IReadOnlyList<BsonDocument> Documents => _documents;
}

/// <summary>All databases and collections. One lock guards everything: this is a test fixture, not a DBMS.</summary>
internal sealed class Store
{
    private readonly SortedDictionary<string, SortedDictionary<string, Collection>> _databases = new(StringComparer.Ordinal);

    public object Sync { get; } = new();

    /// <summary>Caller holds Sync. Returns null when missing and create is false.</summary>
    public Collection GetCollection(string database, string name, bool create)
    {
        ValidateNamespace(database, name);
        if (!_databases.TryGetValue(database, out var collections))
        {
            if (!create)
            {
                return null;
            }

            collections = new SortedDictionary<string, Collection>(StringComparer.Ordinal);
            _databases[database] = collections;
        }

        if (!collections.TryGetValue(name, out var collection) && create)
        {
            collection = new Collection(name);
            collections[name] = collection;
        }

        return collection;
    }

    /// <summary>Caller holds Sync.</summary>
    public IReadOnlyList<Collection> Collections(string database) =>
        _databases.TryGetValue(database, out var collections) ? collections.Values.ToList() : new List<Collection>();

    /// <summary>Caller holds Sync.</summary>
    public IReadOnlyList<string> DatabaseNames() => _databases.Where(d => d.Value.Count > 0).Select(d => d.Key).ToList();

    /// <summary>Caller holds Sync.</summary>
    public bool DropCollection(string database, string name) =>
        _databases.TryGetValue(database, out var collections) && collections.Remove(name);

    /// <summary>Caller holds Sync.</summary>
    public bool DropDatabase(string database) => _databases.Remove(database);

    private static void ValidateNamespace(string database, string name)
    {
        if (string.IsNullOrEmpty(database) || database.IndexOfAny(new[] { '.', ' ', '/', '\\', '$', '\0' }) >= 0)
        {
            throw new CommandException(73, "InvalidNamespace", $"Invalid database name: '{database}'");
        }

        if (string.IsNullOrEmpty(name) || name.Contains('\0') || name.StartsWith('$'))
        {
            throw new CommandException(73, "InvalidNamespace", $"Invalid collection name: '{name}'");
        }
    }
}
