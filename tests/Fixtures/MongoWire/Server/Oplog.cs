using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>What an oplog entry records. Create/collMod are not logged (mongod only shows them with
/// showExpandedEvents, which the fixture does not support).</summary>
internal enum OplogOperation
{
    Noop,
    Insert,
    Update,
    Replace,
    Delete,
    Drop,
    DropDatabase,
}

/// <summary>One write, as the change streams see it. Documents are shared with the store, which never
/// mutates a stored document in place, so holding references is safe.</summary>
internal sealed class OplogEntry
{
    public OplogOperation Operation { get; init; }

    /// <summary>Cluster time of the write; unique per entry and strictly increasing.</summary>
    public BsonTimestamp Ts { get; set; }

    public DateTime WallTime { get; set; }

    public string Database { get; init; }

    /// <summary>Null for dropDatabase and the no-op.</summary>
    public string Collection { get; init; }

    public BsonValue DocumentId { get; init; }

    /// <summary>Insert: the new document; Replace: the replacement.</summary>
    public BsonDocument Document { get; init; }

    /// <summary>Update: {updatedFields, removedFields, truncatedArrays}.</summary>
    public BsonDocument UpdateDescription { get; init; }

    /// <summary>Update: the document after the change, kept only when the collection has
    /// changeStreamPreAndPostImages enabled (what fullDocument whenAvailable/required read).</summary>
    public BsonDocument PostImage { get; init; }
}

/// <summary>The replica set's oplog: a bounded, in-memory list of writes with a cluster time each.
/// Writers append while holding the store lock, so the oplog order is the write order.</summary>
internal sealed class Oplog
{
    private readonly object _sync = new();
    private readonly List<OplogEntry> _entries = new();
    private readonly int _capacity;
    private int _head; // index of the oldest retained entry in _entries
    private uint _seconds;
    private uint _increment;
    private TaskCompletionSource _appended = NewSignal();

    public Oplog(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "the oplog holds at least one entry");
        }

        _capacity = capacity;
        // Like rs.initiate(): the oplog starts with a no-op, which marks the oldest point a stream can start from.
        var origin = new OplogEntry { Operation = OplogOperation.Noop };
        Append(origin);
        Origin = origin.Ts;
    }

    /// <summary>Cluster time of the first entry ever written: nothing can be resumed from before it.</summary>
    public BsonTimestamp Origin { get; }

    /// <summary>Cluster time of the newest entry (the "last applied" optime).</summary>
    public BsonTimestamp LastTs
    {
        get
        {
            lock (_sync)
            {
                return _entries[^1].Ts;
            }
        }
    }

    /// <summary>Completes on the next append; capture it before scanning so no append can slip between.</summary>
    public Task NextAppend
    {
        get
        {
            lock (_sync)
            {
                return _appended.Task;
            }
        }
    }

    /// <summary>Stamps the entry with the next cluster time and appends it, evicting the oldest beyond capacity.</summary>
    public void Append(OplogEntry entry)
    {
        TaskCompletionSource signal;
        lock (_sync)
        {
            entry.Ts = NextTimestamp();
            entry.WallTime = DateTime.UtcNow;
            _entries.Add(entry);
            if (_entries.Count - _head > _capacity)
            {
                LastEvicted = _entries[_head].Ts;
                _entries[_head++] = null;
                if (_head > 1024 && _head > _entries.Count / 2)
                {
                    _entries.RemoveRange(0, _head);
                    _head = 0;
                }
            }

            signal = _appended;
            _appended = NewSignal();
        }

        signal.SetResult();
    }

    /// <summary>Cluster time of the newest evicted entry, or null while nothing was evicted.</summary>
    public BsonTimestamp LastEvicted { get; private set; }

    /// <summary>Entries with ts ≥ from, oldest first, at most max of them; null when history needed
    /// for a start at 'from' is gone (it is before the origin, or an entry at or after it was evicted).</summary>
    public List<OplogEntry> ReadFrom(BsonTimestamp from, int max)
    {
        lock (_sync)
        {
            if (from.CompareTo(Origin) < 0 || (LastEvicted != null && LastEvicted.CompareTo(from) >= 0))
            {
                return null;
            }

            var result = new List<OplogEntry>();
            // Binary search for the first entry at or after 'from'.
            int low = _head, high = _entries.Count;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (_entries[mid].Ts.CompareTo(from) < 0)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            for (var i = low; i < _entries.Count && result.Count < max; i++)
            {
                result.Add(_entries[i]);
            }

            return result;
        }
    }

    private BsonTimestamp NextTimestamp()
    {
        // Seconds follow the wall clock; the increment orders writes within one second.
        var now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (now > _seconds)
        {
            _seconds = now;
            _increment = 1;
        }
        else
        {
            _increment++;
        }

        return new BsonTimestamp((int)_seconds, (int)_increment);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
