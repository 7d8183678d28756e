using System;
using System.Collections.Generic;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>CRUD, cursor and aggregation commands.</summary>
internal sealed partial class CommandDispatcher
{
    private BsonDocument Insert(Request request)
    {
        var ordered = request.Get("ordered")?.ToBoolean() ?? true;
        var documents = request.Get("documents") as BsonArray ?? throw CommandException.BadValue("insert needs a documents array");
        var writeErrors = new BsonArray();
        var inserted = 0;
        lock (_store.Sync)
        {
            var collection = _store.GetCollection(request.Database, request.CollectionName, create: true);
            for (var i = 0; i < documents.Count; i++)
            {
                var document = WithIdFirst(documents[i].AsBsonDocument);
                if (collection.TryInsert(document))
                {
                    inserted++;
                    LogInsert(request, document);
                    continue;
                }

                writeErrors.Add(new BsonDocument
                {
                    { "index", i },
                    { "code", 11000 },
                    { "errmsg", $"E11000 duplicate key error collection: {request.Namespace} index: _id_ dup key: {{ _id: {document["_id"]} }}" },
                });
                if (ordered)
                {
                    break; // ordered inserts stop at the first error, unordered ones keep going
                }
            }
        }

        return WriteReply(inserted, writeErrors);
    }

    private BsonDocument Delete(Request request)
    {
        var deletes = request.Get("deletes") as BsonArray ?? throw CommandException.BadValue("delete needs a deletes array");
        var removed = 0;
        void LogDelete(BsonDocument document) => _oplog?.Append(new OplogEntry
        {
            Operation = OplogOperation.Delete,
            Database = request.Database,
            Collection = request.CollectionName,
            DocumentId = document["_id"],
        });

        foreach (var spec in deletes.Select(d => d.AsBsonDocument))
        {
            var predicate = QueryMatcher.Compile(spec.GetValue("q", null));
            var justOne = spec.GetValue("limit", 0).ToInt32() == 1;
            lock (_store.Sync)
            {
                removed += _store.GetCollection(request.Database, request.CollectionName, create: false)?.RemoveWhere(predicate, justOne, LogDelete) ?? 0;
            }
        }

        return new BsonDocument("n", removed);
    }

    private BsonDocument Update(Request request)
    {
        var updates = request.Get("updates") as BsonArray ?? throw CommandException.BadValue("update needs an updates array");
        int matched = 0, modified = 0;
        var upserted = new BsonArray();
        for (var i = 0; i < updates.Count; i++)
        {
            var spec = updates[i].AsBsonDocument;
            var query = spec.GetValue("q", new BsonDocument()).AsBsonDocument;
            var predicate = QueryMatcher.Compile(query);
            var updater = new Updater(spec.GetValue("u", null));
            var multi = spec.GetValue("multi", false).ToBoolean();
            lock (_store.Sync)
            {
                var collection = _store.GetCollection(request.Database, request.CollectionName, create: true);
                var hits = 0;
                for (var index = 0; index < collection.Documents.Count && (multi || hits == 0); index++)
                {
                    var current = collection.Documents[index];
                    if (!predicate(current))
                    {
                        continue;
                    }

                    hits++;
                    var next = updater.Apply(current, inserting: false);
                    if (!BsonOrder.AreEqual(current, next))
                    {
                        collection.Replace(index, next);
                        modified++;
                        LogUpdate(request, collection, updater, current, next);
                    }
                }

                matched += hits;
                if (hits == 0 && spec.GetValue("upsert", false).ToBoolean())
                {
                    // Seed the new document from the query's plain equality fields, as mongod does.
                    var seed = new BsonDocument(query.Elements.Where(e => !e.Name.StartsWith('$') && !e.Name.Contains('.') && !IsOperatorDocument(e.Value)));
                    var document = WithIdFirst(updater.Apply(seed, inserting: true));
                    collection.TryInsert(document);
                    LogInsert(request, document);
                    upserted.Add(new BsonDocument { { "index", i }, { "_id", document["_id"] } });
                }
            }
        }

        var reply = new BsonDocument { { "n", matched + upserted.Count }, { "nModified", modified } };
        if (upserted.Count > 0)
        {
            reply["upserted"] = upserted;
        }

        return reply;
    }

    private BsonDocument Find(Request request)
    {
        var predicate = QueryMatcher.Compile(request.Get("filter"));
        var sort = request.Get("sort") as BsonDocument;
        var projection = Projection.Create(request.Get("projection"));
        var skip = request.PositiveInt("skip") ?? 0;
        var limitValue = request.Get("limit");
        var limit = limitValue == null || limitValue.IsBsonNull ? 0L : limitValue.ToInt64();
        // Legacy negative limit means "one batch of |limit|".
        var singleBatch = (request.Get("singleBatch")?.ToBoolean() ?? false) || limit < 0;
        limit = Math.Abs(limit);

        IEnumerable<BsonDocument> results = Sorter.Sort(Snapshot(request.Database, request.CollectionName).Where(predicate), sort);
        results = results.Skip(skip);
        if (limit > 0)
        {
            results = results.Take((int)Math.Min(limit, int.MaxValue));
        }

        if (projection != null)
        {
            results = results.Select(projection.Apply);
        }

        return _cursors.Open(request.Namespace, results.ToList(), BatchSize(request.Get("batchSize")), singleBatch);
    }

    private BsonDocument GetMore(Request request)
    {
        var id = request.Command[0].ToInt64();
        var collection = request.Get("collection")?.AsString ?? throw CommandException.BadValue("getMore needs a collection");
        return _cursors.GetMore(id, $"{request.Database}.{collection}", request.PositiveInt("batchSize"));
    }

    private BsonDocument KillCursors(Request request)
    {
        var ids = (request.Get("cursors") as BsonArray ?? new BsonArray()).Select(v => v.ToInt64());
        return _cursors.Kill(request.Namespace, ids);
    }

    private BsonDocument Count(Request request)
    {
        var predicate = QueryMatcher.Compile(request.Get("query"));
        var skip = request.PositiveInt("skip") ?? 0;
        var limit = request.PositiveInt("limit");
        var n = Snapshot(request.Database, request.CollectionName).Where(predicate).Skip(skip).Count();
        return new BsonDocument("n", limit.HasValue ? Math.Min(n, limit.Value) : n);
    }

    private BsonDocument Aggregate(Request request)
    {
        if (request.Get("explain")?.ToBoolean() == true)
        {
            throw new CommandException(59, "CommandNotFound", "aggregate explain is not supported by the test fixture");
        }

        var pipeline = request.Get("pipeline") as BsonArray ?? throw CommandException.TypeMismatch("'pipeline' option must be specified as an array");
        var cursorOptions = request.Get("cursor") as BsonDocument
            ?? throw new CommandException(9, "FailedToParse", "The 'cursor' option is required, except for aggregate with the explain argument");

        var changeStreamAt = pipeline.Select((stage, index) => (stage, index))
            .Where(s => s.stage is BsonDocument d && d.ElementCount > 0 && d.GetElement(0).Name == "$changeStream")
            .Select(s => s.index)
            .DefaultIfEmpty(-1)
            .First();
        if (changeStreamAt >= 0)
        {
            if (_replicaSet == null)
            {
                throw new CommandException(40573, "Location40573", "The $changeStream stage is only supported on replica sets");
            }

            return changeStreamAt == 0
                ? OpenChangeStream(request, pipeline, cursorOptions)
                : throw new CommandException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline.");
        }

        // {aggregate: 1} is a database-level pipeline: no input documents.
        var onCollection = request.Command[0].IsString;
        var input = onCollection ? Snapshot(request.Database, request.CollectionName) : new List<BsonDocument>();
        var ns = onCollection ? request.Namespace : $"{request.Database}.$cmd.aggregate";
        var results = Aggregation.Run(input, pipeline);
        return _cursors.Open(ns, results, BatchSize(cursorOptions.GetValue("batchSize", null)), singleBatch: false);
    }

    private void LogInsert(Request request, BsonDocument document) => _oplog?.Append(new OplogEntry
    {
        Operation = OplogOperation.Insert,
        Database = request.Database,
        Collection = request.CollectionName,
        DocumentId = document["_id"],
        Document = document,
    });

    private void LogUpdate(Request request, Collection collection, Updater updater, BsonDocument before, BsonDocument after)
    {
        if (_oplog == null)
        {
            return;
        }

        _oplog.Append(updater.IsReplacement
            ? new OplogEntry
            {
                Operation = OplogOperation.Replace,
                Database = request.Database,
                Collection = request.CollectionName,
                DocumentId = after["_id"],
                Document = after,
            }
            : new OplogEntry
            {
                Operation = OplogOperation.Update,
                Database = request.Database,
                Collection = request.CollectionName,
                DocumentId = after["_id"],
                UpdateDescription = UpdateDescription.Describe(before, after, updater.Spec),
                PostImage = collection.PreAndPostImages ? after : null,
            });
    }

    /// <summary>Explicit batchSize (0 allowed: an empty first batch), or null for the server default.</summary>
    private static int? BatchSize(BsonValue value)
    {
        if (value == null || value.IsBsonNull)
        {
            return null;
        }

        var n = value.ToInt64();
        return n < 0 ? throw CommandException.BadValue("batchSize must be non-negative") : (int)Math.Min(n, int.MaxValue);
    }

    private static bool IsOperatorDocument(BsonValue value) =>
        value is BsonDocument d && d.ElementCount > 0 && d.GetElement(0).Name.StartsWith('$');

    /// <summary>mongod stores _id first and generates an ObjectId when the client did not send one.</summary>
    private static BsonDocument WithIdFirst(BsonDocument document)
    {
        if (document.ElementCount > 0 && document.GetElement(0).Name == "_id")
        {
            return document;
        }

        var result = new BsonDocument("_id", document.GetValue("_id", ObjectId.GenerateNewId()));
        result.AddRange(document.Elements.Where(e => e.Name != "_id"));
        return result;
    }

    private static BsonDocument WriteReply(int n, BsonArray writeErrors)
    {
        var reply = new BsonDocument("n", n);
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }

        return reply;
    }
}
