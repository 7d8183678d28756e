using System;
using System.Linq;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Handshake, server info, authentication and namespace commands.</summary>
internal sealed partial class CommandDispatcher
{
    private BsonDocument Hello(Request request)
    {
        // Deliberately no topologyVersion: it switches the driver to streaming hello (STANDINS.md).
        var reply = new BsonDocument
        {
            { "helloOk", true },
            { request.Name == "hello" ? "isWritablePrimary" : "ismaster", true },
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", DateTime.UtcNow },
            { "logicalSessionTimeoutMinutes", 30 },
            { "connectionId", request.Connection.Id },
            { "minWireVersion", 0 },
            { "maxWireVersion", 21 },
            { "readOnly", false },
        };
        _replicaSet?.AddTo(reply);

        if (_scram != null && request.Get("saslSupportedMechs") is BsonString probe && _scram.Knows(probe.Value))
        {
            reply["saslSupportedMechs"] = ScramServer.SupportedMechanisms;
        }

        // Speculative auth saves a round trip; on any failure leave it out and the driver runs saslStart itself.
        if (_scram != null && request.Get("speculativeAuthenticate") is BsonDocument speculative)
        {
            try
            {
                reply["speculativeAuthenticate"] = _scram.Start(request.Connection, speculative, speculative.GetValue("db", "admin").AsString);
            }
            catch (CommandException)
            {
            }
        }

        return reply;
    }

    private static BsonDocument BuildInfo(Request request) => new()
    {
        { "version", "7.0.0" },
        { "gitVersion", "mongowire-test-fixture" },
        { "versionArray", new BsonArray { 7, 0, 0, 0 } },
        { "bits", 64 },
        { "debug", false },
        { "maxBsonObjectSize", 16 * 1024 * 1024 },
        { "storageEngines", new BsonArray { "inMemory" } },
        { "modules", new BsonArray() },
    };

    private static BsonDocument GetParameter(Request request)
    {
        var reply = new BsonDocument();
        if (request.Command.Contains("featureCompatibilityVersion"))
        {
            reply["featureCompatibilityVersion"] = new BsonDocument("version", "7.0");
        }

        return reply;
    }

    private static BsonDocument ConnectionStatus(Request request)
    {
        var users = new BsonArray();
        if (request.Connection.User != null)
        {
            users.Add(new BsonDocument { { "user", request.Connection.User }, { "db", "admin" } });
        }

        return new BsonDocument("authInfo", new BsonDocument { { "authenticatedUsers", users }, { "authenticatedUserRoles", new BsonArray() } });
    }

    private BsonDocument SaslStart(Request request)
    {
        // With no user configured every login fails, as on a mongod without that user.
        if (_scram == null)
        {
            throw CommandException.AuthenticationFailed();
        }

        return _scram.Start(request.Connection, request.Command, request.Database);
    }

    private BsonDocument SaslContinue(Request request) =>
        _scram == null ? throw CommandException.AuthenticationFailed() : _scram.Continue(request.Connection, request.Command);

    private BsonDocument ListDatabases(Request request)
    {
        var nameOnly = request.Get("nameOnly")?.ToBoolean() ?? false;
        var filter = QueryMatcher.Compile(request.Get("filter"));
        BsonArray databases;
        lock (_store.Sync)
        {
            databases = new BsonArray(_store.DatabaseNames()
                .Select(name => nameOnly
                    ? new BsonDocument("name", name)
                    : new BsonDocument { { "name", name }, { "sizeOnDisk", 0.0 }, { "empty", false } })
                .Where(filter));
        }

        var reply = new BsonDocument("databases", databases);
        if (!nameOnly)
        {
            reply["totalSize"] = 0.0;
            reply["totalSizeMb"] = 0L;
        }

        return reply;
    }

    private BsonDocument ListCollections(Request request)
    {
        var nameOnly = request.Get("nameOnly")?.ToBoolean() ?? false;
        var filter = QueryMatcher.Compile(request.Get("filter"));
        var cursorOptions = request.Get("cursor") as BsonDocument ?? new BsonDocument();
        BsonDocument[] infos;
        lock (_store.Sync)
        {
            infos = _store.Collections(request.Database).Select(c => nameOnly
                ? new BsonDocument { { "name", c.Name }, { "type", "collection" } }
                : new BsonDocument
                {
                    { "name", c.Name },
                    { "type", "collection" },
                    { "options", new BsonDocument() },
                    { "info", new BsonDocument { { "readOnly", false }, { "uuid", new BsonBinaryData(c.Uuid, GuidRepresentation.Standard) } } },
                    { "idIndex", IdIndex() },
                }).ToArray();
        }

        var results = infos.Where(filter).ToList();
        return _cursors.Open($"{request.Database}.$cmd.listCollections", results, request.PositiveInt("batchSize", cursorOptions), singleBatch: false);
    }

    private BsonDocument ListIndexes(Request request)
    {
        lock (_store.Sync)
        {
            if (_store.GetCollection(request.Database, request.CollectionName, create: false) == null)
            {
                throw new CommandException(26, "NamespaceNotFound", $"ns does not exist: {request.Namespace}");
            }
        }

        // Only the implicit _id index exists; createIndexes is not supported (and says so).
        return _cursors.Open(request.Namespace, new[] { IdIndex() }, null, singleBatch: true);
    }

    private static BsonDocument IdIndex() => new() { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } };

    private BsonDocument Create(Request request)
    {
        var images = PreAndPostImagesOption(request);
        lock (_store.Sync)
        {
            if (_store.GetCollection(request.Database, request.CollectionName, create: false) != null)
            {
                throw new CommandException(48, "NamespaceExists", $"Collection {request.Namespace} already exists.");
            }

            _store.GetCollection(request.Database, request.CollectionName, create: true).PreAndPostImages = images ?? false;
        }

        return new BsonDocument();
    }

    /// <summary>Only changeStreamPreAndPostImages can be changed; anything else fails loudly.</summary>
    private BsonDocument CollMod(Request request)
    {
        var other = request.Command.Names.Skip(1).FirstOrDefault(n => n != "changeStreamPreAndPostImages" && !n.StartsWith('$') && n != "lsid" && n != "txnNumber");
        if (other != null)
        {
            throw new CommandException(2, "BadValue", $"collMod option '{other}' is not supported by the test fixture");
        }

        var images = PreAndPostImagesOption(request);
        lock (_store.Sync)
        {
            var collection = _store.GetCollection(request.Database, request.CollectionName, create: false)
                ?? throw new CommandException(26, "NamespaceNotFound", $"ns does not exist: {request.Namespace}");
            if (images.HasValue)
            {
                collection.PreAndPostImages = images.Value;
            }
        }

        return new BsonDocument();
    }

    private static bool? PreAndPostImagesOption(Request request)
    {
        if (request.Get("changeStreamPreAndPostImages") is not { } option)
        {
            return null;
        }

        return option is BsonDocument spec && spec.TryGetValue("enabled", out var enabled) && enabled.IsBoolean
            ? enabled.AsBoolean
            : throw CommandException.BadValue("changeStreamPreAndPostImages must be {enabled: <bool>}");
    }

    private BsonDocument Drop(Request request)
    {
        lock (_store.Sync)
        {
            // The driver's DropCollection treats NamespaceNotFound as success.
            if (!_store.DropCollection(request.Database, request.CollectionName))
            {
                throw new CommandException(26, "NamespaceNotFound", "ns not found");
            }

            _oplog?.Append(new OplogEntry { Operation = OplogOperation.Drop, Database = request.Database, Collection = request.CollectionName });
        }

        return new BsonDocument { { "nIndexesWas", 1 }, { "ns", request.Namespace } };
    }

    private BsonDocument DropDatabase(Request request)
    {
        lock (_store.Sync)
        {
            // mongod logs one drop per collection, then the dropDatabase itself.
            var collections = _store.Collections(request.Database);
            if (_store.DropDatabase(request.Database) && _oplog != null)
            {
                foreach (var collection in collections)
                {
                    _oplog.Append(new OplogEntry { Operation = OplogOperation.Drop, Database = request.Database, Collection = collection.Name });
                }

                _oplog.Append(new OplogEntry { Operation = OplogOperation.DropDatabase, Database = request.Database });
            }
        }

        return new BsonDocument("dropped", request.Database);
    }
}
