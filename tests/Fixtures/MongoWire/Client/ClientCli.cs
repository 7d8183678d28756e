using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace MongoWire.Client;

/// <summary>"client" mode: drives a server through the real MongoDB.Driver so tests seed and inspect
/// data exactly the way production code talks to MongoDB.
/// Exit codes: 0 ok, 2 usage, 3 server-side command/write error (printed as "error CODE NAME"), 1 anything else.</summary>
internal static class ClientCli
{
    private const int ChunkSize = 1000;

    public static int Run(string[] args)
    {
        var options = CliArgs.Parse(args, "--unordered", "--multi", "--upsert", "--many", "--print-tokens", "--cluster");
        var uri = options.Require("--uri");
        var op = options.Positional.FirstOrDefault() ?? throw new UsageException("missing client operation");
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { NewLine = "\n" };
        try
        {
            using var client = new MongoClient(Settings(uri));
            var runner = new Operations(client, options, output);
            return runner.Run(op);
        }
        catch (UsageException)
        {
            throw;
        }
        catch (MongoBulkWriteException<BsonDocument> ex)
        {
            // Insert already printed its running total; report each failed write.
            foreach (var error in ex.WriteErrors)
            {
                output.WriteLine($"error {error.Code} {error.Category}");
            }

            Console.Error.WriteLine(ex.Message);
            return 3;
        }
        catch (MongoWriteException ex) when (ex.WriteError != null)
        {
            // A single-document write (apply, update, replace, delete) that the server refused.
            output.WriteLine($"error {ex.WriteError.Code} {ex.WriteError.Category}");
            Console.Error.WriteLine(ex.Message);
            return 3;
        }
        catch (Exception ex) when (FindCommandException(ex) is { } command)
        {
            // Auth failures arrive wrapped (MongoAuthenticationException -> MongoCommandException code 18).
            output.WriteLine($"error {command.Code} {command.CodeName}");
            Console.Error.WriteLine(ex.Message);
            return 3;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"{ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            output.Flush();
        }
    }

    private static MongoClientSettings Settings(string uri)
    {
        var settings = MongoClientSettings.FromConnectionString(uri);
        // Fail in seconds, not the driver's default 30 s, unless the URI says otherwise.
        if (uri.IndexOf("serverSelectionTimeoutMS", StringComparison.OrdinalIgnoreCase) < 0)
        {
            settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        }

        if (uri.IndexOf("connectTimeoutMS", StringComparison.OrdinalIgnoreCase) < 0)
        {
            settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        }

        return settings;
    }

    private static MongoCommandException FindCommandException(Exception ex)
    {
        for (var current = ex; current != null; current = current.InnerException)
        {
            if (current is MongoCommandException command)
            {
                return command;
            }
        }

        return null;
    }

    /// <summary>The individual client operations; each returns the process exit code.</summary>
    private sealed class Operations
    {
        private readonly MongoClient _client;
        private readonly CliArgs _options;
        private readonly TextWriter _output;

        public Operations(MongoClient client, CliArgs options, TextWriter output)
        {
            _client = client;
            _options = options;
            _output = output;
        }

        public int Run(string op) => op switch
        {
            "insert" => Insert(),
            "update" => Update(),
            "replace" => Replace(),
            "delete" => Delete(),
            "apply" => Apply(),
            "watch" => Watch(),
            "find" => Find(),
            "count" => Print(Collection().CountDocuments(Filter(), CountOptions())),
            "estimated-count" => Print(Collection().EstimatedDocumentCount()),
            "aggregate" => Aggregate(),
            "list-collections" => PrintLines(Database().ListCollectionNames().ToList()),
            "list-databases" => PrintLines(_client.ListDatabaseNames().ToList()),
            "drop" => Drop(),
            "command" => Command(),
            _ => throw new UsageException($"unknown client operation '{op}'"),
        };

        private IMongoDatabase Database() => _client.GetDatabase(_options.Require("--db"));

        private IMongoCollection<BsonDocument> Collection() => Database().GetCollection<BsonDocument>(_options.Require("--collection"));

        private BsonDocument Filter() => ParseDocument("--filter") ?? new BsonDocument();

        private BsonDocument ParseDocument(string option) => _options.Get(option) is { } json ? BsonDocument.Parse(json) : null;

        private CountOptions CountOptions() => new() { Limit = _options.GetInt("--limit"), Skip = _options.GetInt("--skip") };

        private int Insert()
        {
            var collection = Collection();
            var documents = ReadDocuments(_options.Require("--file"));
            var insertOptions = new InsertManyOptions { IsOrdered = !_options.Has("--unordered") };
            var inserted = 0L;
            try
            {
                foreach (var chunk in documents.Chunk(ChunkSize))
                {
                    collection.InsertMany(chunk, insertOptions);
                    inserted += chunk.Length;
                }
            }
            catch (MongoBulkWriteException<BsonDocument> ex)
            {
                // Ordered inserts stop at the first error; report how far they got, then the errors.
                inserted += ex.Result?.InsertedCount ?? 0;
                _output.WriteLine($"inserted {inserted}");
                throw;
            }

            _output.WriteLine($"inserted {inserted}");
            return 0;
        }

        /// <summary>--id V (an Extended JSON value, e.g. 42 or {"$oid": "…"}) or --filter J; one is required.</summary>
        private BsonDocument TargetFilter()
        {
            var id = _options.Get("--id");
            var filter = ParseDocument("--filter");
            if ((id == null) == (filter == null))
            {
                throw new UsageException("give exactly one of --id and --filter");
            }

            return filter ?? new BsonDocument("_id", ParseValue(id));
        }

        private int Update()
        {
            var update = ParseDocument("--update") ?? throw new UsageException("missing required option --update");
            var updateOptions = new UpdateOptions { IsUpsert = _options.Has("--upsert") };
            var result = _options.Has("--multi")
                ? Collection().UpdateMany(TargetFilter(), update, updateOptions)
                : Collection().UpdateOne(TargetFilter(), update, updateOptions);
            return PrintUpdate(result.MatchedCount, result.ModifiedCount, result.UpsertedId);
        }

        private int Replace()
        {
            var replacement = ParseDocument("--replacement") ?? throw new UsageException("missing required option --replacement");
            var result = Collection().ReplaceOne(TargetFilter(), replacement, new ReplaceOptions { IsUpsert = _options.Has("--upsert") });
            return PrintUpdate(result.MatchedCount, result.ModifiedCount, result.UpsertedId);
        }

        private int Delete()
        {
            var result = _options.Has("--many") ? Collection().DeleteMany(TargetFilter()) : Collection().DeleteOne(TargetFilter());
            _output.WriteLine($"deleted {result.DeletedCount}");
            return 0;
        }

        private int PrintUpdate(long matched, long modified, BsonValue upsertedId)
        {
            _output.WriteLine(upsertedId == null
                ? $"matched {matched} modified {modified}"
                : $"matched {matched} modified {modified} upserted {upsertedId.ToJson(RelaxedJson)}");
            return 0;
        }

        /// <summary>Runs a script of writes in one process (an application simulator's traffic): one JSON
        /// document per line, {op: insert|update|replace|delete|drop, collection?, db?, document | filter | id,
        /// update, replacement, multi, upsert}; db/collection default to --db/--collection. --rate N paces
        /// the writes at N per second. {op: drop} drops the collection. --file - reads standard input, so
        /// writes can be fed while it runs.
        /// Stops at the first failure (exit 3, "error CODE NAME" and the line number).</summary>
        private int Apply()
        {
            var path = _options.Require("--file");
            var rate = _options.GetInt("--rate");
            var lanes = _options.GetInt("--lanes") ?? 1;
            var defaultDb = _options.Get("--db");
            var defaultCollection = _options.Get("--collection");
            if (lanes > 1)
            {
                return ApplyInLanes(path, rate, lanes, defaultDb, defaultCollection);
            }

            using var reader = path == "-" ? Console.In : new StreamReader(path);
            var started = DateTime.UtcNow;
            var applied = 0;
            var lineNumber = 0;
            string line;
            while ((line = reader.ReadLine()) != null)
            {
                lineNumber++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                Pace(started, applied, rate);
                try
                {
                    ApplyOne(BsonDocument.Parse(line), lineNumber, defaultDb, defaultCollection);
                }
                catch (MongoException)
                {
                    _output.WriteLine($"applied {applied}");
                    throw;
                }

                applied++;
            }

            _output.WriteLine($"applied {applied}");
            return 0;
        }

        private static void Pace(DateTime started, int applied, int? rate)
        {
            if (rate is > 0)
            {
                var due = started + TimeSpan.FromSeconds((double)applied / rate.Value);
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }
            }
        }

        /// <summary>--lanes N (a file, not standard input): N connections write at once, as an application's many
        /// requests do; the writes of one document (same id, filter or document _id) stay in one lane, in script order.
        /// Line i is due at i / --rate seconds whichever lane writes it.</summary>
        private int ApplyInLanes(string path, int? rate, int laneCount, string defaultDb, string defaultCollection)
        {
            if (path == "-")
            {
                throw new UsageException("--lanes needs a --file, not standard input");
            }

            var lanes = Enumerable.Range(0, laneCount).Select(_ => new List<(int Index, int Line, BsonDocument Spec)>()).ToArray();
            var index = 0;
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                var spec = BsonDocument.Parse(line);
                var key = spec.TryGetValue("id", out var id) ? id.ToJson()
                    : spec.TryGetValue("filter", out var f) ? f.ToJson()
                    : spec.TryGetValue("document", out var d) && d.IsBsonDocument && d.AsBsonDocument.TryGetValue("_id", out var docId) ? docId.ToJson()
                    : "";
                lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)laneCount)].Add((index++, lineNumber, spec));
            }

            var started = DateTime.UtcNow;
            var applied = 0;
            Exception failure = null;
            var threads = lanes.Select(lane => new Thread(() =>
            {
                foreach (var (i, number, spec) in lane)
                {
                    if (Volatile.Read(ref failure) != null)
                    {
                        return;
                    }

                    Pace(started, i, rate);
                    try
                    {
                        ApplyOne(spec, number, defaultDb, defaultCollection);
                        Interlocked.Increment(ref applied);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref failure, ex, null);
                        return;
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            _output.WriteLine($"applied {applied}");
            if (failure != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }

            return 0;
        }

        private void ApplyOne(BsonDocument spec, int lineNumber, string defaultDb, string defaultCollection)
        {
            var db = spec.GetValue("db", defaultDb)?.AsString ?? throw new UsageException($"line {lineNumber}: no db (and no --db)");
            var name = spec.GetValue("collection", defaultCollection)?.AsString ?? throw new UsageException($"line {lineNumber}: no collection (and no --collection)");
            var collection = _client.GetDatabase(db).GetCollection<BsonDocument>(name);
            var filter = spec.TryGetValue("filter", out var f) ? f.AsBsonDocument
                : spec.TryGetValue("id", out var id) ? new BsonDocument("_id", id) : null;
            var op = spec.GetValue("op", "").AsString;
            try
            {
                switch (op)
                {
                    case "insert":
                        collection.InsertOne(spec["document"].AsBsonDocument);
                        break;
                    case "update":
                        var update = spec["update"].AsBsonDocument;
                        var updateOptions = new UpdateOptions { IsUpsert = spec.GetValue("upsert", false).ToBoolean() };
                        if (spec.GetValue("multi", false).ToBoolean())
                        {
                            collection.UpdateMany(filter ?? throw MissingFilter(lineNumber), update, updateOptions);
                        }
                        else
                        {
                            collection.UpdateOne(filter ?? throw MissingFilter(lineNumber), update, updateOptions);
                        }

                        break;
                    case "replace":
                        collection.ReplaceOne(filter ?? throw MissingFilter(lineNumber), spec["replacement"].AsBsonDocument,
                            new ReplaceOptions { IsUpsert = spec.GetValue("upsert", false).ToBoolean() });
                        break;
                    case "delete":
                        if (spec.GetValue("multi", false).ToBoolean())
                        {
                            collection.DeleteMany(filter ?? throw MissingFilter(lineNumber));
                        }
                        else
                        {
                            collection.DeleteOne(filter ?? throw MissingFilter(lineNumber));
                        }

                        break;
                    case "drop":
                        _client.GetDatabase(db).DropCollection(name);
                        break;
                    default:
                        throw new UsageException($"line {lineNumber}: op must be insert, update, replace, delete or drop, got '{op}'");
                }
            }
            catch (MongoException)
            {
                Console.Error.WriteLine($"line {lineNumber} ({op}) failed");
                throw;
            }

        }

        private static UsageException MissingFilter(int lineNumber) => new($"line {lineNumber}: needs filter or id");

        /// <summary>Opens a change stream with Watch() and prints each event (relaxed Extended JSON, one per
        /// line) until --max-events, --timeout-ms or the stream's end (invalidate). Prints "watching" on
        /// stderr once the stream is open; --print-tokens adds {"resumeToken": …} lines from
        /// GetResumeToken() after opening and after each batch (postBatchResumeToken on empty batches).</summary>
        private int Watch()
        {
            var options = new ChangeStreamOptions
            {
                FullDocument = _options.Get("--full-document") switch
                {
                    null or "default" => ChangeStreamFullDocumentOption.Default,
                    "updateLookup" => ChangeStreamFullDocumentOption.UpdateLookup,
                    "whenAvailable" => ChangeStreamFullDocumentOption.WhenAvailable,
                    "required" => ChangeStreamFullDocumentOption.Required,
                    var other => throw new UsageException($"--full-document must be default, updateLookup, whenAvailable or required, got '{other}'"),
                },
                ResumeAfter = ParseDocument("--resume-after"),
                StartAfter = ParseDocument("--start-after"),
                StartAtOperationTime = _options.Get("--start-at-operation-time") is { } time ? ParseTimestamp(time) : null,
                BatchSize = _options.GetInt("--batch-size"),
                MaxAwaitTime = _options.GetInt("--max-await-ms") is { } awaitMs ? TimeSpan.FromMilliseconds(awaitMs) : null,
            };
            var stages = _options.Get("--pipeline") is { } json
                ? BsonSerializer.Deserialize<BsonArray>(json).Select(v => v.AsBsonDocument).ToList()
                : new List<BsonDocument>();
            var pipeline = new BsonDocumentStagePipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>(stages);
            var maxEvents = _options.GetInt("--max-events") ?? int.MaxValue;
            using var deadline = new CancellationTokenSource();
            if (_options.GetInt("--timeout-ms") is { } timeoutMs)
            {
                deadline.CancelAfter(timeoutMs);
            }

            var collectionName = _options.Get("--collection");
            using var cursor = collectionName != null
                ? Database().GetCollection<BsonDocument>(collectionName).Watch(pipeline, options, deadline.Token)
                : _options.Has("--cluster")
                    ? _client.Watch(pipeline, options, deadline.Token)
                    : Database().Watch(pipeline, options, deadline.Token);
            Console.Error.WriteLine("watching");
            Console.Error.Flush();
            PrintToken(cursor);
            var seen = 0;
            while (seen < maxEvents)
            {
                try
                {
                    if (!cursor.MoveNext(deadline.Token))
                    {
                        break; // invalidated: the server closed the stream
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                foreach (var change in cursor.Current)
                {
                    // The driver's own event type must be able to read every event we print.
                    EventSerializer.Deserialize(BsonDeserializationContext.CreateRoot(new BsonDocumentReader(change)));
                    _output.WriteLine(change.ToJson(RelaxedJson));
                    _output.Flush();
                    if (++seen >= maxEvents)
                    {
                        break;
                    }
                }

                PrintToken(cursor);
            }

            return 0;
        }

        private void PrintToken(IChangeStreamCursor<BsonDocument> cursor)
        {
            if (_options.Has("--print-tokens"))
            {
                _output.WriteLine(new BsonDocument("resumeToken", (BsonValue)cursor.GetResumeToken() ?? BsonNull.Value).ToJson(RelaxedJson));
                _output.Flush();
            }
        }

        /// <summary>"T:I" or Extended JSON {"$timestamp": {"t": T, "i": I}}.</summary>
        private static BsonTimestamp ParseTimestamp(string text)
        {
            if (text.TrimStart().StartsWith('{'))
            {
                return ParseValue(text) as BsonTimestamp ?? throw new UsageException($"not a timestamp: {text}");
            }

            var parts = text.Split(':');
            return parts.Length == 2 && int.TryParse(parts[0], out var seconds) && int.TryParse(parts[1], out var increment)
                ? new BsonTimestamp(seconds, increment)
                : throw new UsageException($"--start-at-operation-time needs T:I or {{\"$timestamp\": …}}, got '{text}'");
        }

        private static BsonValue ParseValue(string json) => BsonDocument.Parse("{\"v\": " + json + "}")["v"];

        private static readonly JsonWriterSettings RelaxedJson = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };

        private static readonly ChangeStreamDocumentSerializer<BsonDocument> EventSerializer = new(BsonDocumentSerializer.Instance);

        private int Find()
        {
            var findOptions = new FindOptions { BatchSize = _options.GetInt("--batch-size") };
            var find = Collection().Find(Filter(), findOptions);
            if (ParseDocument("--sort") is { } sort)
            {
                find = find.Sort(sort);
            }

            if (_options.GetInt("--skip") is { } skip)
            {
                find = find.Skip(skip);
            }

            if (_options.GetInt("--limit") is { } limit)
            {
                find = find.Limit(limit);
            }

            var fluent = ParseDocument("--projection") is { } projection ? find.Project<BsonDocument>(projection) : find;
            using var cursor = fluent.ToCursor();
            while (cursor.MoveNext())
            {
                foreach (var document in cursor.Current)
                {
                    _output.WriteLine(ToJson(document));
                }
            }

            return 0;
        }

        private int Aggregate()
        {
            var stages = BsonSerializer.Deserialize<BsonArray>(_options.Require("--pipeline")).Select(s => s.AsBsonDocument);
            var aggregateOptions = new AggregateOptions { BatchSize = _options.GetInt("--batch-size") };
            using var cursor = Collection().Aggregate(PipelineDefinition<BsonDocument, BsonDocument>.Create(stages), aggregateOptions);
            while (cursor.MoveNext())
            {
                foreach (var document in cursor.Current)
                {
                    _output.WriteLine(ToJson(document));
                }
            }

            return 0;
        }

        private int Drop()
        {
            Database().DropCollection(_options.Require("--collection"));
            _output.WriteLine("dropped");
            return 0;
        }

        private int Command()
        {
            var command = BsonDocument.Parse(_options.Require("--json"));
            var reply = Database().RunCommand<BsonDocument>(command);
            _output.WriteLine(ToJson(reply));
            return 0;
        }

        private int Print(long n)
        {
            _output.WriteLine(n);
            return 0;
        }

        private int PrintLines(IEnumerable<string> lines)
        {
            foreach (var line in lines)
            {
                _output.WriteLine(line);
            }

            return 0;
        }

        private string ToJson(BsonDocument document)
        {
            var mode = _options.Get("--output") ?? "relaxed";
            var settings = mode switch
            {
                "relaxed" => new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson },
                // Canonical keeps every numeric type visible ($numberInt, $numberLong, $numberDouble).
                "canonical" => new JsonWriterSettings { OutputMode = JsonOutputMode.CanonicalExtendedJson },
                _ => throw new UsageException("--output must be relaxed or canonical"),
            };
            return document.ToJson(settings);
        }

        /// <summary>Extended JSON file: one JSON array, or one document per line.</summary>
        private static List<BsonDocument> ReadDocuments(string path)
        {
            var text = File.ReadAllText(path);
            if (text.TrimStart().StartsWith('['))
            {
                return BsonSerializer.Deserialize<BsonArray>(text).Select(v => v.AsBsonDocument).ToList();
            }

            return text.Split('\n')
                .Select(line => line.Trim())
                .Where(line => line.Length > 0)
                .Select(BsonDocument.Parse)
                .ToList();
        }
    }
}
