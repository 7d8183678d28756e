using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>aggregate with a leading $changeStream, and getMore on the tailable cursor it opens.</summary>
internal sealed partial class CommandDispatcher
{
    // Stages mongod allows after $changeStream that the fixture does not implement (they fail loudly).
    private static readonly HashSet<string> AllowedButUnsupported = new(StringComparer.Ordinal)
    {
        "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$redact",
    };

    private BsonDocument OpenChangeStream(Request request, BsonArray pipeline, BsonDocument cursorOptions)
    {
        var spec = pipeline[0].AsBsonDocument[0] as BsonDocument
            ?? throw new CommandException(50808, "Location50808", "$changeStream stage expects a document as argument");

        var fullDocument = FullDocumentMode.Default;
        ResumeToken? resumeAfter = null, startAfter = null;
        BsonTimestamp startAtOperationTime = null;
        var allChangesForCluster = false;
        foreach (var option in spec)
        {
            switch (option.Name)
            {
                case "fullDocument":
                    fullDocument = option.Value is BsonString mode ? ParseFullDocument(mode.Value) : throw WrongType(option, "string");
                    break;
                case "fullDocumentBeforeChange":
                    if (option.Value is not BsonString { Value: "off" })
                    {
                        throw CommandException.BadValue("fullDocumentBeforeChange is not supported by the test fixture (only 'off')");
                    }

                    break;
                case "resumeAfter":
                    resumeAfter = ResumeToken.Parse(option.Value, option.Name);
                    break;
                case "startAfter":
                    startAfter = ResumeToken.Parse(option.Value, option.Name);
                    break;
                case "startAtOperationTime":
                    startAtOperationTime = option.Value as BsonTimestamp ?? throw WrongType(option, "timestamp");
                    break;
                case "allChangesForCluster":
                    allChangesForCluster = option.Value.IsBoolean ? option.Value.AsBoolean : throw WrongType(option, "bool");
                    break;
                case "showExpandedEvents":
                    if (option.Value.ToBoolean())
                    {
                        throw CommandException.BadValue("showExpandedEvents is not supported by the test fixture");
                    }

                    break;
                default:
                    throw new CommandException(40415, "Location40415", $"BSON field '$changeStream.{option.Name}' is an unknown field.");
            }
        }

        // The same checks, codes and messages as mongod's DocumentSourceChangeStream::assertIsLegalSpecification.
        var onCollection = request.Command[0].IsString;
        if (allChangesForCluster && (request.Database != "admin" || onCollection))
        {
            throw new CommandException(72, "InvalidOptions",
                $"A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name; found {(onCollection ? request.Namespace : request.Database + ".$cmd.aggregate")}");
        }

        if (request.Database is "local" or "config" || (request.Database == "admin" && !allChangesForCluster))
        {
            throw new CommandException(73, "InvalidNamespace", $"$changeStream may not be opened on the internal {request.Database} database");
        }

        if (resumeAfter.HasValue && startAfter.HasValue)
        {
            throw new CommandException(50865, "Location50865", "Do not specify both 'resumeAfter' and 'startAfter' in a $changeStream stage");
        }

        var token = resumeAfter ?? startAfter;
        if (startAtOperationTime != null && token.HasValue)
        {
            throw new CommandException(40674, "Location40674", "Only one type of resume option is allowed, but multiple were found");
        }

        if (resumeAfter is { IsInvalidate: true })
        {
            throw new CommandException(260, "InvalidResumeToken",
                "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification");
        }

        var stages = pipeline.Skip(1).Select(CompileChangeStreamStage).ToList();

        // Without a start point a stream begins just after the newest write, as mongod's does.
        var start = token ?? (startAtOperationTime != null ? ResumeToken.HighWaterMarkAt(startAtOperationTime) : ResumeToken.After(_oplog.LastTs));
        var scope = onCollection ? ChangeStreamScope.Collection : allChangesForCluster ? ChangeStreamScope.Cluster : ChangeStreamScope.Database;
        var ns = onCollection ? request.Namespace : $"{request.Database}.$cmd.aggregate";
        var cursor = new ChangeStreamCursor(ns, scope, request.Database, onCollection ? request.CollectionName : null,
            fullDocument, start, stages, _oplog, LookUpDocument);

        // The first batch never waits; a resume point the oplog no longer holds fails here with 286.
        var batch = cursor.Next(BatchSize(cursorOptions.GetValue("batchSize", null)) ?? 101);
        var id = cursor.Invalidated ? 0L : _cursors.OpenChangeStream(cursor);
        return ChangeStreamReply("firstBatch", batch, cursor, id);
    }

    private ChangeStreamCursor FindChangeStream(Request request) =>
        request.Command[0].IsNumeric ? _cursors.FindChangeStream(request.Command[0].ToInt64()) : null;

    private async Task<BsonDocument> ChangeStreamGetMoreAsync(Request request, ChangeStreamCursor cursor)
    {
        var id = request.Command[0].ToInt64();
        var collection = request.Get("collection")?.AsString ?? throw CommandException.BadValue("getMore needs a collection");
        if ($"{request.Database}.{collection}" != cursor.Ns)
        {
            throw new CommandException(43, "CursorNotFound", $"cursor id {id} not found");
        }

        var maxTime = request.Get("maxTimeMS") is { IsNumeric: true } ms && ms.ToInt64() > 0
            ? TimeSpan.FromMilliseconds(ms.ToInt64())
            : ChangeStreamCursor.DefaultAwait;
        var batchSize = request.PositiveInt("batchSize") ?? int.MaxValue;

        await cursor.Gate.WaitAsync().ConfigureAwait(false);
        BsonArray batch;
        try
        {
            batch = await cursor.NextAsync(batchSize, maxTime).ConfigureAwait(false);
        }
        catch (CommandException)
        {
            // mongod kills a change stream cursor whose getMore failed (history lost, missing post-image).
            _cursors.CloseChangeStream(id);
            throw;
        }
        finally
        {
            cursor.Gate.Release();
        }

        if (cursor.Invalidated || cursor.Killed)
        {
            _cursors.CloseChangeStream(id);
            id = 0;
        }

        return ChangeStreamReply("nextBatch", batch, cursor, id);
    }

    private static BsonDocument ChangeStreamReply(string batchName, BsonArray batch, ChangeStreamCursor cursor, long id) => new()
    {
        {
            "cursor", new BsonDocument
            {
                { batchName, batch },
                { "postBatchResumeToken", cursor.PostBatchResumeToken },
                { "id", id },
                { "ns", cursor.Ns },
            }
        },
    };

    /// <summary>updateLookup: the document as it is in the store now, or null.</summary>
    private BsonDocument LookUpDocument(string database, string collection, BsonValue id)
    {
        lock (_store.Sync)
        {
            return _store.GetCollection(database, collection, create: false)?.FindById(id);
        }
    }

    private static Func<IEnumerable<BsonDocument>, IEnumerable<BsonDocument>> CompileChangeStreamStage(BsonValue stage)
    {
        var name = stage is BsonDocument document && document.ElementCount == 1 ? document.GetElement(0).Name : null;
        switch (name)
        {
            case "$match":
            case "$project":
                return Aggregation.CompileStage(stage);
            case "$changeStream":
                throw new CommandException(40602, "Location40602", "$changeStream is only valid as the first stage in a pipeline.");
            case null:
                return Aggregation.CompileStage(stage); // reports the malformed stage
            default:
                if (AllowedButUnsupported.Contains(name))
                {
                    throw new CommandException(40324, "Location40324", $"{name} after $changeStream is not supported by the test fixture");
                }

                throw new CommandException(20, "IllegalOperation", $"{name} is not permitted in a $changeStream pipeline");
        }
    }

    private static FullDocumentMode ParseFullDocument(string value) => value switch
    {
        "default" => FullDocumentMode.Default,
        "updateLookup" => FullDocumentMode.UpdateLookup,
        "whenAvailable" => FullDocumentMode.WhenAvailable,
        "required" => FullDocumentMode.Required,
        _ => throw CommandException.BadValue($"Enumeration value '{value}' for field '$changeStream.fullDocument' is not a valid value."),
    };

    private static CommandException WrongType(BsonElement option, string expected) =>
        CommandException.TypeMismatch($"BSON field '$changeStream.{option.Name}' is the wrong type '{option.Value.BsonType}', expected type '{expected}'");
}
