using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>What a change stream watches: one collection, one database, or every database.</summary>
internal enum ChangeStreamScope
{
    Collection,
    Database,
    Cluster,
}

internal enum FullDocumentMode
{
    Default,
    UpdateLookup,
    WhenAvailable,
    Required,
}

/// <summary>A tailable change stream cursor over the oplog: reads entries from its position on, turns those
/// in scope into change events (mongod 7.0 shapes), runs the user's stages, and remembers the resume point.</summary>
internal sealed class ChangeStreamCursor
{
    // mongod's wait for an awaitData getMore that names no maxTimeMS.
    public static readonly TimeSpan DefaultAwait = TimeSpan.FromSeconds(1);

    private const int ReadChunk = 256;
    private const int MaxBatchBytes = 8 * 1024 * 1024;

    private readonly Oplog _oplog;
    private readonly Func<string, string, BsonValue, BsonDocument> _lookup;
    private readonly List<Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>>> _stages;

    // Next oplog timestamp to read (entries with ts ≥ it); _position is the resume point reported to the client.
    private BsonTimestamp _readFrom;
    private ResumeToken _position;

    public ChangeStreamCursor(
        string ns,
        ChangeStreamScope scope,
        string database,
        string collection,
        FullDocumentMode fullDocument,
        ResumeToken start,
        List<Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>>> stages,
        Oplog oplog,
        Func<string, string, BsonValue, BsonDocument> lookup)
    {
        Ns = ns;
        Scope = scope;
        Database = database;
        Collection = collection;
        FullDocument = fullDocument;
        _position = start;
        _readFrom = start.Timestamp;
        _stages = stages;
        _oplog = oplog;
        _lookup = lookup;
    }

    public string Ns { get; }

    public ChangeStreamScope Scope { get; }

    public string Database { get; }

    public string Collection { get; }

    public FullDocumentMode FullDocument { get; }

    /// <summary>Set once the invalidate event went out: the cursor is then closed (id 0).</summary>
    public bool Invalidated { get; private set; }

    /// <summary>Set by killCursors; a waiting getMore notices and returns.</summary>
    public bool Killed { get; set; }

    /// <summary>One getMore at a time per cursor.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public BsonDocument PostBatchResumeToken => _position.ToDocument();

    /// <summary>Reads what is there now, without waiting. Throws 286 when the oplog rolled past the position.</summary>
    public BsonArray Next(int maxEvents)
    {
        var batch = new BsonArray();
        var bytes = 0;
        while (batch.Count < maxEvents && !Invalidated)
        {
            var entries = _oplog.ReadFrom(_readFrom, ReadChunk) ?? throw HistoryLost();
            if (entries.Count == 0)
            {
                break;
            }

            foreach (var entry in entries)
            {
                var delivered = false;
                foreach (var (token, operationType) in EventsFor(entry))
                {
                    if (!(token > _position))
                    {
                        continue; // already returned before a resume
                    }

                    if (batch.Count >= maxEvents || (batch.Count > 0 && bytes > MaxBatchBytes))
                    {
                        return batch; // the rest of this entry's events go in the next batch
                    }

                    var change = Transform(BuildEvent(entry, operationType, token));
                    _position = token;
                    delivered = true;
                    if (change != null)
                    {
                        batch.Add(change);
                        bytes += change.ToBson().Length;
                    }

                    if (token.IsInvalidate)
                    {
                        Invalidated = true;
                        return batch;
                    }
                }

                // Entries outside the stream (or filtered out) still move the resume point on.
                _readFrom = ResumeToken.After(entry.Ts).Timestamp;
                if (!delivered)
                {
                    _position = ResumeToken.Max(_position, ResumeToken.After(entry.Ts));
                }

                if (batch.Count >= maxEvents)
                {
                    return batch;
                }
            }
        }

        return batch;
    }

    /// <summary>getMore: returns as soon as there are events, else waits for new writes up to maxAwait
    /// (asynchronously: no thread is held) and then returns an empty batch with the advanced resume token.</summary>
    public async Task<BsonArray> NextAsync(int maxEvents, TimeSpan maxAwait)
    {
        var timeUp = Task.Delay(maxAwait); // one timer per getMore, however often writes wake it
        while (true)
        {
            var appended = _oplog.NextAppend; // taken before reading, so a write in between still wakes us
            var batch = Next(maxEvents);
            if (batch.Count > 0 || Invalidated || Killed || timeUp.IsCompleted)
            {
                return batch;
            }

            await Task.WhenAny(appended, timeUp).ConfigureAwait(false);
        }
    }

    public static CommandException HistoryLost() =>
        new(286, "ChangeStreamHistoryLost", "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");

    /// <summary>The events one oplog entry produces for this stream, with their tokens, in order.</summary>
    private IEnumerable<(ResumeToken Token, string OperationType)> EventsFor(OplogEntry entry)
    {
        var inDatabase = Scope == ChangeStreamScope.Cluster || entry.Database == Database;
        var inScope = inDatabase && (Scope != ChangeStreamScope.Collection || entry.Collection == Collection);
        switch (entry.Operation)
        {
            case OplogOperation.Insert when inScope:
                yield return (ResumeToken.EventAt(entry.Ts), "insert");
                break;
            case OplogOperation.Update when inScope:
                yield return (ResumeToken.EventAt(entry.Ts), "update");
                break;
            case OplogOperation.Replace when inScope:
                yield return (ResumeToken.EventAt(entry.Ts), "replace");
                break;
            case OplogOperation.Delete when inScope:
                yield return (ResumeToken.EventAt(entry.Ts), "delete");
                break;
            case OplogOperation.Drop when inScope:
                yield return (ResumeToken.EventAt(entry.Ts), "drop");
                // Dropping the watched collection ends a collection stream.
                if (Scope == ChangeStreamScope.Collection)
                {
                    yield return (ResumeToken.InvalidateAt(entry.Ts), "invalidate");
                }

                break;
            case OplogOperation.DropDatabase when inDatabase && Scope != ChangeStreamScope.Collection:
                // A collection stream already ended at its collection's drop, logged before this entry.
                yield return (ResumeToken.EventAt(entry.Ts), "dropDatabase");
                if (Scope == ChangeStreamScope.Database)
                {
                    yield return (ResumeToken.InvalidateAt(entry.Ts), "invalidate");
                }

                break;
        }
    }

    /// <summary>Field order as mongod 7.0 writes it: _id, operationType, clusterTime, wallTime, fullDocument,
    /// ns, documentKey, updateDescription.</summary>
    private BsonDocument BuildEvent(OplogEntry entry, string operationType, ResumeToken token)
    {
        var change = new BsonDocument
        {
            { "_id", token.ToDocument() },
            { "operationType", operationType },
            { "clusterTime", entry.Ts },
            { "wallTime", new BsonDateTime(entry.WallTime) },
        };
        if (operationType == "invalidate")
        {
            return change;
        }

        switch (operationType)
        {
            case "insert":
            case "replace":
                change["fullDocument"] = entry.Document;
                break;
            case "update" when FullDocument == FullDocumentMode.UpdateLookup:
                // The document as it is now (null once deleted), not as it was after this update.
                change["fullDocument"] = (BsonValue)_lookup(entry.Database, entry.Collection, entry.DocumentId) ?? BsonNull.Value;
                break;
            case "update" when FullDocument == FullDocumentMode.WhenAvailable:
                change["fullDocument"] = (BsonValue)entry.PostImage ?? BsonNull.Value;
                break;
            case "update" when FullDocument == FullDocumentMode.Required:
                change["fullDocument"] = entry.PostImage ?? throw new CommandException(
                    47,
                    "NoMatchingDocument",
                    "Change stream was configured to require a post-image for all update events, but the post-image was not found for event: " +
                    $"{{ns: {entry.Database}.{entry.Collection}, documentKey: {{_id: {entry.DocumentId}}}}}");
                break;
        }

        change["ns"] = entry.Collection == null
            ? new BsonDocument("db", entry.Database)
            : new BsonDocument { { "db", entry.Database }, { "coll", entry.Collection } };
        if (entry.DocumentId != null)
        {
            change["documentKey"] = new BsonDocument("_id", entry.DocumentId);
        }

        if (operationType == "update")
        {
            change["updateDescription"] = entry.UpdateDescription;
        }

        return change;
    }

    /// <summary>Runs the stages after $changeStream; null when they filter the event out.</summary>
    private BsonDocument Transform(BsonDocument change)
    {
        IEnumerable<BsonDocument> current = new[] { change };
        foreach (var stage in _stages)
        {
            current = stage(current);
        }

        var result = current.FirstOrDefault();
        if (result != null && !(result.TryGetValue("_id", out var id) && id.Equals(change["_id"])))
        {
            throw new CommandException(
                280,
                "ChangeStreamFatalError",
                "Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. " +
                "Modifying the _id field of an event makes it impossible to resume the stream from that point. " +
                "Only transformations that retain the unmodified _id field are allowed.");
        }

        return result;
    }
}
