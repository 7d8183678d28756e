using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Server-side cursors over materialized result lists, and tailable change stream cursors;
/// ids are server-wide as in mongod.</summary>
internal sealed class CursorRegistry
{
    // mongod's default first batch when the client gives no batchSize.
    private const int DefaultFirstBatch = 101;

    // Keeps every reply well below maxMessageSizeBytes (mongod caps batches at 16 MiB).
    private const int MaxBatchBytes = 8 * 1024 * 1024;

    private readonly ConcurrentDictionary<long, OpenCursor> _cursors = new();
    private readonly ConcurrentDictionary<long, ChangeStreamCursor> _changeStreams = new();

    /// <summary>Starts a cursor and returns the {firstBatch, id, ns} reply document.</summary>
    public BsonDocument Open(string ns, IReadOnlyList<BsonDocument> results, int? batchSize, bool singleBatch)
    {
        var cursor = new OpenCursor(ns, results);
        var batch = cursor.Next(batchSize ?? DefaultFirstBatch);
        var id = 0L;
        if (!singleBatch && !cursor.Exhausted)
        {
            id = NewId();
            _cursors[id] = cursor;
        }

        return Reply("firstBatch", batch, id, ns);
    }

    /// <summary>Registers a tailable change stream cursor and returns its id.</summary>
    public long OpenChangeStream(ChangeStreamCursor cursor)
    {
        var id = NewId();
        _changeStreams[id] = cursor;
        return id;
    }

    public ChangeStreamCursor FindChangeStream(long id) => _changeStreams.TryGetValue(id, out var cursor) ? cursor : null;

    public void CloseChangeStream(long id) => _changeStreams.TryRemove(id, out _);

    /// <summary>Handles getMore; no batchSize means "as much as fits", like mongod.</summary>
    public BsonDocument GetMore(long id, string ns, int? batchSize)
    {
        if (!_cursors.TryGetValue(id, out var cursor) || cursor.Ns != ns)
        {
            throw new CommandException(43, "CursorNotFound", $"cursor id {id} not found");
        }

        BsonArray batch;
        lock (cursor)
        {
            batch = cursor.Next(batchSize ?? int.MaxValue);
        }

        if (cursor.Exhausted)
        {
            _cursors.TryRemove(id, out _);
            id = 0;
        }

        return Reply("nextBatch", batch, id, ns);
    }

    public BsonDocument Kill(string ns, IEnumerable<long> ids)
    {
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var id in ids)
        {
            if (_cursors.TryGetValue(id, out var cursor) && cursor.Ns == ns && _cursors.TryRemove(id, out _))
            {
                killed.Add(id);
            }
            else if (_changeStreams.TryGetValue(id, out var stream) && stream.Ns == ns && _changeStreams.TryRemove(id, out _))
            {
                stream.Killed = true;
                killed.Add(id);
            }
            else
            {
                notFound.Add(id);
            }
        }

        return new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
        };
    }

    private static BsonDocument Reply(string batchName, BsonArray batch, long id, string ns) =>
        new() { { "cursor", new BsonDocument { { batchName, batch }, { "id", id }, { "ns", ns } } } };

    private long NewId()
    {
        while (true)
        {
            // Positive 63-bit ids, like mongod; 0 is reserved for "exhausted".
            var id = Random.Shared.NextInt64(1, long.MaxValue);
            if (!_cursors.ContainsKey(id) && !_changeStreams.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private sealed class OpenCursor
    {
        private readonly IReadOnlyList<BsonDocument> _results;
        private int _position;

        public OpenCursor(string ns, IReadOnlyList<BsonDocument> results)
        {
            Ns = ns;
            _results = results;
        }

        public string Ns { get; }

        public bool Exhausted => _position >= _results.Count;

        public BsonArray Next(int maxDocuments)
        {
            var batch = new BsonArray();
            var bytes = 0;
            while (!Exhausted && batch.Count < maxDocuments)
            {
                var document = _results[_position];
                bytes += document.ToBson().Length;
                if (batch.Count > 0 && bytes > MaxBatchBytes)
                {
                    break;
                }

                batch.Add(document);
                _position++;
            }

            return batch;
        }
    }
}
