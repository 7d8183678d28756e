using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>
    /// One MongoDB collection, streamed in _id order in batches of <see cref="BatchSize"/> through a driver cursor.
    /// Position = the _id as canonical Extended JSON, so a resume is a <c>{_id: {$gt: position}}</c> query.
    /// Errors name host:port only; the URI's password never leaves this class.
    /// </summary>
    internal sealed class MongoDocumentSource : IDocumentSource
    {
        public const int BatchSize = 1000;
        private static readonly JsonWriterSettings Canonical = new JsonWriterSettings { OutputMode = JsonOutputMode.CanonicalExtendedJson };

        private readonly MongoUrl url;
        private readonly string databaseName;
        private readonly string collectionName;
        private readonly string hosts;
        private MongoClient client;

        public MongoDocumentSource(string mongoUri, string database, string collection)
        {
            string masked = Secrets.MaskUrl(mongoUri);
            try
            {
                url = new MongoUrl(mongoUri);
            }
            catch (Exception)
            {
                // The driver's message may quote the URI: say nothing of it but the masked form.
                throw new EcommerceException("InvalidMongoUri", ErrorCategory.InvalidArgument, masked,
                    $"'{masked}' is not a valid MongoDB connection string.", "Use mongodb://user:password@host:27017/database.");
            }
            databaseName = string.IsNullOrEmpty(database) ? url.DatabaseName : database;
            if (string.IsNullOrEmpty(databaseName))
                throw new EcommerceException("MongoDatabaseMissing", ErrorCategory.InvalidArgument, masked,
                    $"'{masked}' names no database.", "Add the database to the URI (mongodb://host:27017/shop) or pass -Database.");
            collectionName = collection;
            hosts = string.Join(",", url.Servers.Select(s => $"{s.Host}:{s.Port}"));
            Description = $"{masked} ({databaseName}.{collectionName})";
            Identity = new SourceIdentity(SourceIdentity.MongoKind, $"{databaseName}.{collectionName}", null);
        }

        public string Description { get; }
        public SourceIdentity Identity { get; }
        public bool UniqueSortedIds => true;
        public double? ProgressFraction => null;

        public async Task<long?> CountAsync(CancellationToken cancellation)
        {
            try
            {
                return await Collection().CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (Translate(ex) is { } translated) { throw translated; }
        }

        public async IAsyncEnumerable<SourceDocument> ReadAsync(string resumeAfterPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            FilterDefinition<BsonDocument> filter = resumeAfterPosition == null
                ? FilterDefinition<BsonDocument>.Empty
                : new BsonDocument("_id", new BsonDocument("$gt", ParsePosition(resumeAfterPosition)));
            var options = new FindOptions<BsonDocument> { Sort = new BsonDocument("_id", 1), BatchSize = BatchSize };
            IAsyncCursor<BsonDocument> cursor = await Guard(() => Collection().FindAsync(filter, options, cancellation)).ConfigureAwait(false);
            using (cursor)
            {
                while (await Guard(() => cursor.MoveNextAsync(cancellation)).ConfigureAwait(false))
                {
                    foreach (BsonDocument document in cursor.Current)
                        yield return new SourceDocument(document, PositionOf(document));
                }
            }
        }

        /// <summary>
        /// The deployment's cluster time now (the <c>operationTime</c>, else <c>$clusterTime.clusterTime</c>, of a <c>hello</c>),
        /// as canonical Extended JSON <c>{"$timestamp":{"t":…,"i":…}}</c>: where a change stream must start
        /// (startAtOperationTime) to see every change made after this moment. Null for a standalone server, which has neither
        /// (and no change streams).
        /// </summary>
        public async Task<string> ReadClusterTimeAsync(CancellationToken cancellation)
        {
            BsonDocument reply = await Guard(() => Database("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellation)).ConfigureAwait(false);
            BsonValue time = reply.TryGetValue("operationTime", out BsonValue operation) && operation.IsBsonTimestamp ? operation
                : reply.TryGetValue("$clusterTime", out BsonValue cluster) && cluster.IsBsonDocument && cluster.AsBsonDocument.TryGetValue("clusterTime", out BsonValue t) && t.IsBsonTimestamp ? t
                : null;
            return time?.ToJson(Canonical);
        }

        /// <summary>
        /// Integer _ids and 24-hex string _ids at or before the position: the only ones a later document (in _id order: numbers,
        /// then strings, then ObjectIds) can share a key with. Two range queries on _id (MongoDB compares within one type only),
        /// projected on _id, so a collection of ObjectIds answers at once.
        /// </summary>
        public async IAsyncEnumerable<BsonValue> ReadKeyIdsAsync(string upToPosition, [EnumeratorCancellation] CancellationToken cancellation)
        {
            if (upToPosition == null) yield break;
            BsonValue last = ParsePosition(upToPosition);
            int bracket = Bracket(last);
            var filters = new List<BsonDocument>();
            // Numbers (bracket 1): all of them when the checkpoint is past the numbers, else those up to it.
            if (bracket == 1) filters.Add(new BsonDocument("_id", new BsonDocument { { "$gte", double.NegativeInfinity }, { "$lte", last } }));
            else if (bracket > 1) filters.Add(new BsonDocument("_id", new BsonDocument("$gte", double.NegativeInfinity)));
            // Strings that could be ObjectId text: the hex range, cut at the checkpoint when it is a string.
            const string low = "000000000000000000000000", high = "ffffffffffffffffffffffff";
            if (bracket == 2) filters.Add(new BsonDocument("_id", new BsonDocument { { "$gte", low }, { "$lte", string.CompareOrdinal(last.AsString, high) < 0 ? last.AsString : high } }));
            else if (bracket > 2) filters.Add(new BsonDocument("_id", new BsonDocument { { "$gte", low }, { "$lte", high } }));
            var options = new FindOptions<BsonDocument> { Sort = new BsonDocument("_id", 1), BatchSize = BatchSize, Projection = new BsonDocument("_id", 1) };
            foreach (BsonDocument filter in filters)
            {
                IAsyncCursor<BsonDocument> cursor = await Guard(() => Collection().FindAsync(filter, options, cancellation)).ConfigureAwait(false);
                using (cursor)
                {
                    while (await Guard(() => cursor.MoveNextAsync(cancellation)).ConfigureAwait(false))
                        foreach (BsonDocument document in cursor.Current)
                            if (document.TryGetValue("_id", out BsonValue id) && (id.IsInt32 || id.IsInt64 || id.IsString)) yield return id;
                }
            }
        }

        /// <summary>1 numbers, 2 strings, 3 ObjectIds and everything after them in MongoDB's sort order (0 before numbers).</summary>
        private static int Bracket(BsonValue value) => value.BsonType switch
        {
            BsonType.MinKey or BsonType.Null or BsonType.Undefined => 0,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 1,
            BsonType.String or BsonType.Symbol => 2,
            _ => 3,
        };

        /// <summary>The _id of a document as canonical Extended JSON (the checkpoint format for MongoDB sources).</summary>
        public static string PositionOf(BsonDocument document) =>
            document.TryGetValue("_id", out BsonValue id) ? id.ToJson(Canonical) : "null";

        internal static BsonValue ParsePosition(string position)
        {
            try { return BsonDocument.Parse("{\"_id\":" + position + "}")["_id"]; }
            catch (Exception ex)
            {
                throw new ArgumentException($"'{position}' is not a MongoDB checkpoint (an _id in canonical Extended JSON).", nameof(position), ex);
            }
        }

        /// <summary>The collection through this source's client (a sync watches it and looks documents up in it).</summary>
        internal IMongoCollection<BsonDocument> Collection() => Database(databaseName).GetCollection<BsonDocument>(collectionName);

        private IMongoDatabase Database(string name)
        {
            if (client == null)
            {
                MongoClientSettings settings = MongoClientSettings.FromUrl(url);
                // Fail in seconds rather than the driver's 30 s when nothing answers, unless the URI says otherwise.
                if (url.ServerSelectionTimeout == MongoDefaults.ServerSelectionTimeout)
                    settings.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
                if (url.ConnectTimeout == MongoDefaults.ConnectTimeout)
                    settings.ConnectTimeout = TimeSpan.FromSeconds(10);
                client = new MongoClient(settings);
            }
            return client.GetDatabase(name);
        }

        private async Task<T> Guard<T>(Func<Task<T>> call)
        {
            try { return await call().ConfigureAwait(false); }
            catch (Exception ex) when (Translate(ex) is { } translated) { throw translated; }
        }

        /// <summary>Driver errors → our ErrorIds, with host:port only (no inner exception: driver messages can quote settings).</summary>
        internal EcommerceException Translate(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (e is MongoAuthenticationException || (e is MongoCommandException command && command.Code == 18))
                    return new EcommerceException("MongoAuthenticationFailed", ErrorCategory.AuthenticationError, hosts,
                        $"MongoDB at {hosts} refused the credentials of user '{url.Username}' (database '{url.AuthenticationSource ?? databaseName}').",
                        "Check the user name and password in -MongoUri, and authSource if the user is defined in another database.");
            }
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (e is TimeoutException || e is MongoConnectionException || e is System.Net.Sockets.SocketException)
                    return new EcommerceException("MongoConnectionFailed", ErrorCategory.ConnectionError, hosts,
                        $"Cannot reach MongoDB at {hosts}: {FirstLine(e is TimeoutException ? "no server answered in time" : e.GetType().Name)}.",
                        "Check that MongoDB runs and that the host, port and firewall allow this machine to connect.");
            }
            if (ex is MongoCommandException other)
                return new EcommerceException("MongoCommandFailed", ErrorCategory.InvalidOperation, $"{databaseName}.{collectionName}",
                    $"MongoDB at {hosts} failed a read of {databaseName}.{collectionName}: code {other.Code} {other.CodeName}.",
                    "Check that the user may read this collection.");
            return null;
        }

        private static string FirstLine(string text) => text.Split('\n')[0].Trim();

        public ValueTask DisposeAsync()
        {
            client?.Dispose();
            client = null;
            return ValueTask.CompletedTask;
        }
    }
}
