// TEMPORARY: stand-ins for the source side (helper/mig-source) so the engine compiles and can be tried
// before that branch lands. Delete this file when merging helper/mig-source.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;

namespace EcommerceAws.Engine.Migration.Mapping
{
    public static class EntityKeys
    {
        public static string EntityType(EcommerceEntity entity) => entity.ToString().ToUpperInvariant();
        public static string DefaultCollection(EcommerceEntity entity) => entity switch
        {
            EcommerceEntity.Category => "categories", EcommerceEntity.Product => "products",
            EcommerceEntity.User => "users", _ => "orders",
        };
        public static string ItemKey(EcommerceEntity entity, string id) => EntityType(entity) + "#" + id;
        public static string NormalizeEmail(string email) => email?.Trim().ToLowerInvariant();
    }

    public sealed class EntityMapper
    {
        public MappingResult Map(EcommerceEntity entity, BsonDocument document)
        {
            string id = document.GetValue("_id", BsonNull.Value).ToString();
            var item = new Dictionary<string, AttributeValue>
            {
                ["PK"] = new AttributeValue(EntityKeys.ItemKey(entity, id)),
                ["SK"] = new AttributeValue(EntityKeys.ItemKey(entity, id)),
                ["id"] = new AttributeValue(id),
                ["entityType"] = new AttributeValue(EntityKeys.EntityType(entity)),
            };
            string need = entity switch { EcommerceEntity.Product => "nameEn", EcommerceEntity.User => "email", EcommerceEntity.Order => "userId", _ => "name" };
            if (!document.Contains(need))
                return MappingResult.Rejected(new RejectRecord(entity, id, RejectReason.MissingField, need, $"'{need}' is required"));
            item["GSI1PK"] = new AttributeValue(entity == EcommerceEntity.User ? "EMAIL#" + EntityKeys.NormalizeEmail(document[need].ToString()) : "X#" + document[need]);
            item["GSI1SK"] = new AttributeValue(EntityKeys.ItemKey(entity, id));
            foreach (BsonElement e in document.Elements.Where(e => e.Name != "_id" && e.Name != "__v"))
                item[e.Name] = e.Value.IsNumeric ? new AttributeValue { N = e.Value.ToString() } : new AttributeValue(e.Value.ToString());
            return MappingResult.Mapped(item, id, 200);
        }
    }
}

namespace EcommerceAws.Engine.Migration.Sources
{
    public static class DocumentSources
    {
        public static IDocumentSource FromFile(string path) => new JsonLinesSource(path);
        public static IDocumentSource FromMongo(string uri, string database, string collection) => new MongoSource(uri, database, collection);
        public static string MaskUri(string uri)
        {
            var url = new MongoUrl(uri);
            return url.Password == null ? uri : uri.Replace(":" + url.Password + "@", ":****@");
        }

        private sealed class JsonLinesSource : IDocumentSource
        {
            private readonly string path;
            internal JsonLinesSource(string path) { this.path = path; }
            public string Description => path;
            public double? ProgressFraction => null;
            public Task<long?> CountAsync(CancellationToken c) => Task.FromResult<long?>(File.ReadLines(path).Count(l => l.Trim().Length > 0));
            public async IAsyncEnumerable<SourceDocument> ReadAsync(string after, [EnumeratorCancellation] CancellationToken c)
            {
                long skip = after == null ? 0 : long.Parse(after);
                long n = 0;
                foreach (string line in File.ReadLines(path))
                {
                    if (line.Trim().Length == 0) continue;
                    n++;
                    if (n <= skip) continue;
                    yield return new SourceDocument(BsonDocument.Parse(line), n.ToString());
                }
                await Task.CompletedTask;
            }
            public ValueTask DisposeAsync() => default;
        }

        private sealed class MongoSource : IDocumentSource
        {
            private readonly IMongoCollection<BsonDocument> collection;
            internal MongoSource(string uri, string database, string collection)
            {
                var url = new MongoUrl(uri);
                this.collection = new MongoClient(url).GetDatabase(database ?? url.DatabaseName ?? "test").GetCollection<BsonDocument>(collection);
                Description = MaskUri(uri) + " " + (database ?? url.DatabaseName) + "." + collection;
            }
            public string Description { get; }
            public double? ProgressFraction => null;
            public async Task<long?> CountAsync(CancellationToken c) => await collection.CountDocumentsAsync(new BsonDocument(), cancellationToken: c);
            public async IAsyncEnumerable<SourceDocument> ReadAsync(string after, [EnumeratorCancellation] CancellationToken c)
            {
                FilterDefinition<BsonDocument> filter = after == null ? new BsonDocument() : new BsonDocument("_id", new BsonDocument("$gt", BsonDocument.Parse(after)["v"]));
                using IAsyncCursor<BsonDocument> cursor = await collection.FindAsync(filter, new FindOptions<BsonDocument> { Sort = new BsonDocument("_id", 1), BatchSize = 1000 }, c);
                while (await cursor.MoveNextAsync(c))
                    foreach (BsonDocument d in cursor.Current)
                        yield return new SourceDocument(d, new BsonDocument("v", d["_id"]).ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.CanonicalExtendedJson }));
            }
            public ValueTask DisposeAsync() => default;
        }
    }
}
