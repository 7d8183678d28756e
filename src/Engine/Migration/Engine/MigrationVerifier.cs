using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Engine
{
    /// <summary>
    /// Verification: a parallel Scan (Select=COUNT, filtered on entityType) against source count − rejects, and a
    /// random sample of source documents re-mapped with the same <see cref="EntityMapper"/> and compared attribute
    /// by attribute with the stored items.
    /// </summary>
    internal sealed class MigrationVerifier
    {
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;
        private readonly IOperationContext context;

        public MigrationVerifier(IAmazonDynamoDB dynamo, string tableName, IOperationContext context)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
            this.context = context;
        }

        public async Task<long> CountAsync(EcommerceEntity entity, int segments)
        {
            string type = EntityKeys.EntityType(entity);
            long[] counts = await Task.WhenAll(Enumerable.Range(0, segments).Select(async segment =>
            {
                long total = 0;
                Dictionary<string, AttributeValue> start = null;
                do
                {
                    ScanResponse page = await AwsCall.Run(() => dynamo.ScanAsync(new ScanRequest
                    {
                        TableName = tableName,
                        Segment = segment,
                        TotalSegments = segments,
                        Select = Select.COUNT,
                        FilterExpression = "#t = :t",
                        ExpressionAttributeNames = new Dictionary<string, string> { ["#t"] = "entityType" },
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":t"] = new AttributeValue(type) },
                        ExclusiveStartKey = start,
                    }, context.Cancellation), "Scan", tableName).ConfigureAwait(false);
                    total += page.Count ?? 0;
                    start = page.LastEvaluatedKey != null && page.LastEvaluatedKey.Count > 0 ? page.LastEvaluatedKey : null;
                } while (start != null);
                return total;
            })).ConfigureAwait(false);
            return counts.Sum();
        }

        /// <summary>Reservoir-samples the source (one pass, memory = sample size), re-maps and compares; returns (compared, mismatches).</summary>
        public async Task<(int Compared, List<MigrationMismatch> Mismatches)> CompareSampleAsync(EcommerceEntity entity, IDocumentSource source, int sampleSize)
        {
            var reservoir = new List<BsonDocumentHolder>(sampleSize);
            long seen = 0;
            await foreach (SourceDocument document in source.ReadAsync(null, context.Cancellation).ConfigureAwait(false))
            {
                seen++;
                if (reservoir.Count < sampleSize) reservoir.Add(new BsonDocumentHolder(document));
                else
                {
                    long slot = Random.Shared.NextInt64(seen);
                    if (slot < sampleSize) reservoir[(int)slot] = new BsonDocumentHolder(document);
                }
                if (seen % 5000 == 0)
                    context.WriteProgress(new ProgressUpdate { Activity = $"Verifying {entity}", Status = $"Sampling the source: {seen:N0} documents read" });
            }
            context.WriteProgress(new ProgressUpdate { Activity = $"Verifying {entity}", Completed = true });

            var mapper = new EntityMapper();
            var expected = new List<MappingResult>();
            foreach (BsonDocumentHolder holder in reservoir)
            {
                MappingResult mapped = mapper.Map(entity, holder.Document.Document);
                if (!mapped.IsRejected) expected.Add(mapped);
            }
            var mismatches = new List<MigrationMismatch>();
            int skippedDuplicates = 0;
            foreach (MappingResult[] chunk in expected.Chunk(100))
            {
                Dictionary<string, Dictionary<string, AttributeValue>> stored = await GetItemsAsync(chunk.Select(m => m.Item)).ConfigureAwait(false);
                foreach (MappingResult mapped in chunk)
                {
                    string key = mapped.Item["PK"].S;
                    if (!stored.TryGetValue(key, out Dictionary<string, AttributeValue> actual))
                    {
                        if (entity == EcommerceEntity.User && await EmailTakenByOtherAsync(mapped).ConfigureAwait(false))
                        {
                            skippedDuplicates++; // rejected as DuplicateEmail by the run: nothing to compare
                            continue;
                        }
                        mismatches.Add(new MigrationMismatch { Id = mapped.Id, Problem = $"item {key} is missing from the table" });
                        continue;
                    }
                    mismatches.AddRange(AttributeComparer.Compare(mapped.Id, mapped.Item, actual));
                }
            }
            return (expected.Count - skippedDuplicates, mismatches);
        }

        private async Task<Dictionary<string, Dictionary<string, AttributeValue>>> GetItemsAsync(IEnumerable<Dictionary<string, AttributeValue>> items)
        {
            var result = new Dictionary<string, Dictionary<string, AttributeValue>>();
            List<Dictionary<string, AttributeValue>> keys = items
                .Select(i => new Dictionary<string, AttributeValue> { ["PK"] = i["PK"], ["SK"] = i["SK"] }).ToList();
            int attempt = 0;
            while (keys.Count > 0)
            {
                BatchGetItemResponse response = await AwsCall.Run(() => dynamo.BatchGetItemAsync(new BatchGetItemRequest
                {
                    RequestItems = new Dictionary<string, KeysAndAttributes> { [tableName] = new KeysAndAttributes { Keys = keys, ConsistentRead = true } },
                }, context.Cancellation), "BatchGetItem", tableName).ConfigureAwait(false);
                if (response.Responses != null && response.Responses.TryGetValue(tableName, out List<Dictionary<string, AttributeValue>> found))
                    foreach (Dictionary<string, AttributeValue> item in found) result[item["PK"].S] = item;
                keys = response.UnprocessedKeys != null && response.UnprocessedKeys.TryGetValue(tableName, out KeysAndAttributes rest) ? rest.Keys : new List<Dictionary<string, AttributeValue>>();
                if (keys.Count > 0) await Task.Delay(BatchWriter.Backoff(attempt++), context.Cancellation).ConfigureAwait(false);
            }
            return result;
        }

        private async Task<bool> EmailTakenByOtherAsync(MappingResult mapped) =>
            mapped.Item.TryGetValue("GSI1PK", out AttributeValue key)
            && await EmailRegistry.OtherOwnerAsync(dynamo, tableName, key.S, mapped.Id, context.Cancellation).ConfigureAwait(false) != null;

        private sealed class BsonDocumentHolder
        {
            public BsonDocumentHolder(SourceDocument document) { Document = document; }
            public SourceDocument Document { get; }
        }
    }

    /// <summary>Attribute-by-attribute comparison of a re-mapped item with the stored one; never shows values of secret-looking attributes.</summary>
    internal static class AttributeComparer
    {
        public static IEnumerable<MigrationMismatch> Compare(string id, Dictionary<string, AttributeValue> expected, Dictionary<string, AttributeValue> actual)
        {
            foreach (var (name, value) in expected)
            {
                if (!actual.TryGetValue(name, out AttributeValue stored))
                    yield return new MigrationMismatch { Id = id, Attribute = name, Problem = "missing in the table" };
                else if (!Same(value, stored))
                    yield return new MigrationMismatch
                    {
                        Id = id, Attribute = name,
                        Problem = Secrets.IsSecretName(name) ? "stored value differs (value not shown)" : $"expected {Show(value)}, table has {Show(stored)}",
                    };
            }
            foreach (string name in actual.Keys.Where(k => !expected.ContainsKey(k)))
                yield return new MigrationMismatch { Id = id, Attribute = name, Problem = "in the table but not in the source document" };
        }

        public static bool Same(AttributeValue a, AttributeValue b)
        {
            if (a.S != null || b.S != null) return a.S == b.S;
            if (a.N != null || b.N != null) return a.N != null && b.N != null && SameNumber(a.N, b.N);
            if (a.BOOL != null || b.BOOL != null) return a.BOOL == b.BOOL;
            if (a.NULL == true || b.NULL == true) return a.NULL == b.NULL;
            if (a.B != null || b.B != null) return a.B != null && b.B != null && a.B.ToArray().SequenceEqual(b.B.ToArray());
            if (a.L != null && a.L.Count > 0 || b.L != null && b.L.Count > 0 || a.IsLSet || b.IsLSet)
                return a.L != null && b.L != null && a.L.Count == b.L.Count && a.L.Zip(b.L).All(p => Same(p.First, p.Second));
            if (a.M != null && a.M.Count > 0 || b.M != null && b.M.Count > 0 || a.IsMSet || b.IsMSet)
                return a.M != null && b.M != null && a.M.Count == b.M.Count && a.M.All(p => b.M.TryGetValue(p.Key, out AttributeValue v) && Same(p.Value, v));
            if (a.SS?.Count > 0 || b.SS?.Count > 0) return (a.SS ?? new List<string>()).OrderBy(x => x).SequenceEqual((b.SS ?? new List<string>()).OrderBy(x => x));
            if (a.NS?.Count > 0 || b.NS?.Count > 0) return (a.NS ?? new List<string>()).Count == (b.NS ?? new List<string>()).Count;
            return true;
        }

        private static bool SameNumber(string a, string b) =>
            a == b || (decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal x)
                       && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal y) && x == y);

        private static string Show(AttributeValue v)
        {
            string text = v.S != null ? "S " + v.S : v.N != null ? "N " + v.N : v.BOOL != null ? "BOOL " + v.BOOL : v.NULL == true ? "NULL"
                : v.IsLSet ? $"L[{v.L.Count}]" : v.IsMSet ? $"M{{{v.M.Count}}}" : v.B != null ? "B" : "?";
            return text.Length > 80 ? text.Substring(0, 77) + "..." : text;
        }
    }
}
