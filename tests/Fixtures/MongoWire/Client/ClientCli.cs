using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
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
        var options = CliArgs.Parse(args, "--unordered");
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
