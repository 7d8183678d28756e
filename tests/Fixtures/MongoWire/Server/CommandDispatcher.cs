using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Routes a command document to its handler and shapes the {…, ok} reply.</summary>
internal sealed partial class CommandDispatcher
{
    // What an unauthenticated connection may run when auth is on (mongod allows the same handshake set).
    private static readonly HashSet<string> NoAuthNeeded = new(StringComparer.Ordinal)
    {
        "hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "saslStart", "saslContinue",
        "getLastError", "endSessions", "connectionStatus",
    };

    private readonly Store _store;
    private readonly CursorRegistry _cursors;
    private readonly ScramServer _scram;
    private readonly ReplicaSetMember _replicaSet;
    private readonly Oplog _oplog;
    private readonly Dictionary<string, Func<Request, BsonDocument>> _handlers;

    /// <param name="replicaSet">Null for a standalone server (no oplog, no change streams).</param>
    public CommandDispatcher(Store store, CursorRegistry cursors, ScramServer scram, ReplicaSetMember replicaSet = null)
    {
        _store = store;
        _cursors = cursors;
        _scram = scram;
        _replicaSet = replicaSet;
        _oplog = replicaSet?.Oplog;
        _handlers = new Dictionary<string, Func<Request, BsonDocument>>(StringComparer.Ordinal)
        {
            ["hello"] = Hello,
            ["isMaster"] = Hello,
            ["ismaster"] = Hello,
            ["ping"] = _ => new BsonDocument(),
            ["buildInfo"] = BuildInfo,
            ["buildinfo"] = BuildInfo,
            ["getParameter"] = GetParameter,
            ["getLastError"] = r => new BsonDocument { { "n", 0 }, { "err", BsonNull.Value }, { "connectionId", r.Connection.Id } },
            ["connectionStatus"] = ConnectionStatus,
            ["endSessions"] = _ => new BsonDocument(),
            ["saslStart"] = SaslStart,
            ["saslContinue"] = SaslContinue,
            ["listDatabases"] = ListDatabases,
            ["listCollections"] = ListCollections,
            ["listIndexes"] = ListIndexes,
            ["create"] = Create,
            ["collMod"] = CollMod,
            ["drop"] = Drop,
            ["dropDatabase"] = DropDatabase,
            ["insert"] = Insert,
            ["update"] = Update,
            ["delete"] = Delete,
            ["find"] = Find,
            ["getMore"] = GetMore,
            ["killCursors"] = KillCursors,
            ["count"] = Count,
            ["aggregate"] = Aggregate,
        };
    }

    /// <summary>Never throws: every failure becomes an ok:0 reply the driver turns into MongoCommandException.
    /// Completes at once except for a getMore on a change stream, which may wait for new writes.</summary>
    public async Task<BsonDocument> ExecuteAsync(BsonDocument command, string database, ConnectionState connection)
    {
        var name = command.ElementCount > 0 ? command.GetElement(0).Name : "";
        BsonDocument reply;
        try
        {
            if (!_handlers.TryGetValue(name, out var handler))
            {
                throw new CommandException(59, "CommandNotFound", $"no such command: '{name}'");
            }

            if (_scram != null && connection.User == null && !NoAuthNeeded.Contains(name))
            {
                throw new CommandException(13, "Unauthorized", $"Command {name} requires authentication");
            }

            var request = new Request(name, command, database, connection);
            reply = name == "getMore" && FindChangeStream(request) is { } stream
                ? await ChangeStreamGetMoreAsync(request, stream).ConfigureAwait(false)
                : handler(request);
            if (!reply.Contains("ok"))
            {
                reply["ok"] = 1.0;
            }
        }
        catch (CommandException ex)
        {
            reply = ex.ToReply();
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or ArgumentException or OverflowException)
        {
            // Wrong BSON types in a command (e.g. filter:"x") surface as cast errors.
            reply = new CommandException(14, "TypeMismatch", $"{name}: {ex.Message}").ToReply();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"[conn{connection.Id}] {name} failed: {ex}");
            reply = new CommandException(1, "InternalError", $"{name}: {ex.Message}").ToReply();
        }

        if (_replicaSet != null)
        {
            // A replica set member gossips its cluster time on every reply, errors included.
            var now = _oplog.LastTs;
            reply["$clusterTime"] = new BsonDocument
            {
                { "clusterTime", now },
                { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
            };
            reply["operationTime"] = now;
        }

        return reply;
    }

    /// <summary>One command invocation as handlers see it.</summary>
    private sealed record Request(string Name, BsonDocument Command, string Database, ConnectionState Connection)
    {
        /// <summary>The collection named by the command's first field ({find: "orders"}).</summary>
        public string CollectionName => Command[0] is BsonString s
            ? s.Value
            : throw new CommandException(73, "InvalidNamespace", $"collection name has invalid type {Command[0].BsonType}");

        public string Namespace => $"{Database}.{CollectionName}";

        public BsonValue Get(string field) => Command.GetValue(field, null);

        /// <summary>A positive integer option, or null when absent or 0.</summary>
        public int? PositiveInt(string field, BsonDocument source = null)
        {
            var value = (source ?? Command).GetValue(field, null);
            if (value == null || value.IsBsonNull)
            {
                return null;
            }

            var n = value.ToInt64();
            if (n < 0)
            {
                throw CommandException.BadValue($"{field} must be non-negative");
            }

            return n == 0 ? null : (int)Math.Min(n, int.MaxValue);
        }
    }

    /// <summary>Reads a consistent copy of a collection's documents (empty when it does not exist).</summary>
    private List<BsonDocument> Snapshot(string database, string collection)
    {
        lock (_store.Sync)
        {
            return _store.GetCollection(database, collection, create: false)?.Snapshot() ?? new List<BsonDocument>();
        }
    }
}
