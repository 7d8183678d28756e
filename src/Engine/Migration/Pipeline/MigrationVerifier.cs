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
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Pipeline
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

        /// <summary>
        /// One pass over the source: counts every document (the recount Test-EcommerceMigration compares), reservoir-samples the
        /// documents the migration would have written (mapped, not a repeated key, memory = sample size), re-maps and compares them.
        /// </summary>
        public async Task<(long SourceCount, int Compared, List<MigrationMismatch> Mismatches)> CompareSampleAsync(EcommerceEntity entity, IDocumentSource source, int sampleSize)
        {
            if (sampleSize == 0 && await source.CountAsync(context.Cancellation).ConfigureAwait(false) is long known)
                return (known, 0, new List<MigrationMismatch>());
            var reservoir = new List<MappingResult>(Math.Max(0, sampleSize));
            var mapper = new EntityMapper();
            var keys = new KeyRegistry(source.UniqueSortedIds);
            long seen = 0, eligible = 0;
            await foreach (SourceDocument document in source.ReadAsync(null, context.Cancellation).ConfigureAwait(false))
            {
                seen++;
                if (seen % 5000 == 0)
                    context.WriteProgress(new ProgressUpdate { Activity = $"Verifying {entity}", Status = $"Counting and sampling the source: {seen:N0} documents read" });
                if (sampleSize == 0 || document.Document == null) continue;
                MappingResult mapped = mapper.Map(entity, document.Document);
                if (mapped.IsRejected || keys.Check(entity, document.Document["_id"], mapped.Id, fromFile: !source.UniqueSortedIds) != null) continue;
                eligible++;
                if (reservoir.Count < sampleSize) reservoir.Add(mapped);
                else
                {
                    long slot = Random.Shared.NextInt64(eligible);
                    if (slot < sampleSize) reservoir[(int)slot] = mapped;
                }
            }
            context.WriteProgress(new ProgressUpdate { Activity = $"Verifying {entity}", Completed = true });

            var mismatches = new List<MigrationMismatch>();
            int skippedDuplicates = 0;
            foreach (MappingResult[] chunk in reservoir.Chunk(100))
            {
                Dictionary<string, Dictionary<string, AttributeValue>> stored = await GetItemsAsync(chunk.Select(m => m.Item)).ConfigureAwait(false);
                foreach (MappingResult mapped in chunk)
                {
                    string key = mapped.Item[EntityKeys.PartitionKey].S;
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
            return (seen, reservoir.Count - skippedDuplicates, mismatches);
        }

        private async Task<Dictionary<string, Dictionary<string, AttributeValue>>> GetItemsAsync(IEnumerable<Dictionary<string, AttributeValue>> items)
        {
            var result = new Dictionary<string, Dictionary<string, AttributeValue>>();
            List<Dictionary<string, AttributeValue>> keys = items
                .Select(i => new Dictionary<string, AttributeValue> { [EntityKeys.PartitionKey] = i[EntityKeys.PartitionKey], [EntityKeys.SortKey] = i[EntityKeys.SortKey] }).ToList();
            int attempt = 0;
            while (keys.Count > 0)
            {
                BatchGetItemResponse response = await AwsCall.Run(() => dynamo.BatchGetItemAsync(new BatchGetItemRequest
                {
                    RequestItems = new Dictionary<string, KeysAndAttributes> { [tableName] = new KeysAndAttributes { Keys = keys, ConsistentRead = true } },
                }, context.Cancellation), "BatchGetItem", tableName).ConfigureAwait(false);
                if (response.Responses != null && response.Responses.TryGetValue(tableName, out List<Dictionary<string, AttributeValue>> found))
                    foreach (Dictionary<string, AttributeValue> item in found) result[item[EntityKeys.PartitionKey].S] = item;
                keys = response.UnprocessedKeys != null && response.UnprocessedKeys.TryGetValue(tableName, out KeysAndAttributes rest) ? rest.Keys : new List<Dictionary<string, AttributeValue>>();
                if (keys.Count > 0) await Task.Delay(BatchWriter.Backoff(attempt++), context.Cancellation).ConfigureAwait(false);
            }
            return result;
        }

        private async Task<bool> EmailTakenByOtherAsync(MappingResult mapped) =>
            mapped.Item.TryGetValue(EntityKeys.Gsi1PartitionKey, out AttributeValue key)
            && await EmailRegistry.OtherOwnerAsync(dynamo, tableName, key.S, mapped.Id, context.Cancellation).ConfigureAwait(false) != null;

    }

    /// <summary>
    /// Attribute-by-attribute comparison of a re-mapped item with the stored one; never shows values of secret-looking attributes.
    /// Knows what this module itself changes after a migration, and nothing more: Publish-ProductAsset rewrites <c>images</c>
    /// to its CDN URLs (https://&lt;cdn&gt;/products/&lt;id&gt;/&lt;sha256&gt;.&lt;ext&gt;, or keeps an image it could not publish), keeps the
    /// migrated list in <c>imagesOriginal</c> and sets <c>updatedAt</c>. With <c>imagesOriginal</c> present, the source's images
    /// are compared with it, each stored image must be the source's or a CDN URL of that product, and updatedAt may differ;
    /// every other attribute must match exactly.
    /// </summary>
    internal static class AttributeComparer
    {
        private const string Images = "images", ImagesOriginal = "imagesOriginal", UpdatedAt = "updatedAt";

        public static IEnumerable<MigrationMismatch> Compare(string id, Dictionary<string, AttributeValue> expected, Dictionary<string, AttributeValue> actual)
        {
            bool published = actual.TryGetValue(ImagesOriginal, out AttributeValue original) && !expected.ContainsKey(ImagesOriginal);
            foreach (var (name, value) in expected)
            {
                if (published && name == Images)
                {
                    foreach (MigrationMismatch m in ComparePublished(id, value, original, actual.GetValueOrDefault(Images))) yield return m;
                    continue;
                }
                if (published && name == UpdatedAt && actual.TryGetValue(UpdatedAt, out AttributeValue stamp) && stamp.S != null) continue;
                if (!actual.TryGetValue(name, out AttributeValue stored))
                    yield return new MigrationMismatch { Id = id, Attribute = name, Problem = "missing in the table" };
                else if (!Same(value, stored))
                    yield return Differs(id, name, value, stored);
            }
            foreach (string name in actual.Keys.Where(k => !expected.ContainsKey(k)))
            {
                if (published && (name == ImagesOriginal || name == UpdatedAt)) continue;
                yield return new MigrationMismatch { Id = id, Attribute = name, Problem = "in the table but not in the source document" };
            }
        }

        private static IEnumerable<MigrationMismatch> ComparePublished(string id, AttributeValue source, AttributeValue original, AttributeValue stored)
        {
            if (!Same(source, original))
            {
                yield return Differs(id, ImagesOriginal, source, original, "the migrated images kept by Publish-ProductAsset differ from the source's images");
                yield break;
            }
            if (stored == null)
            {
                yield return new MigrationMismatch { Id = id, Attribute = Images, Problem = "missing in the table" };
                yield break;
            }
            if (source.L == null || stored.L == null || source.L.Count != stored.L.Count)
            {
                yield return Differs(id, Images, source, stored, "not the published form of the source's images");
                yield break;
            }
            for (int i = 0; i < source.L.Count; i++)
            {
                AttributeValue mine = source.L[i], theirs = stored.L[i];
                if (Same(mine, theirs) || theirs.S != null && Assets.AssetPublisher.IsPublishedUrl(theirs.S, id)) continue;
                yield return new MigrationMismatch
                {
                    Id = id, Attribute = $"{Images}.{i}",
                    Problem = $"expected {Show(mine)} or its CDN URL (https://<cdn>/products/{id}/<sha256>.<ext>), table has {Show(theirs)}",
                };
            }
        }

        private static MigrationMismatch Differs(string id, string name, AttributeValue expected, AttributeValue stored, string why = null)
        {
            if (Secrets.IsSecretName(name)) return new MigrationMismatch { Id = id, Attribute = name, Problem = "stored value differs (value not shown)" };
            string a = Show(expected), b = Show(stored);
            string problem = $"expected {a}, table has {b}";
            if (a == b || a.Length + b.Length > 160)
            {
                (string path, AttributeValue x, AttributeValue y) = FirstDifference(name, expected, stored);
                problem = $"differs at {path}: expected {Show(x)}, table has {Show(y)}";
            }
            return new MigrationMismatch { Id = id, Attribute = name, Problem = why == null ? problem : $"{why}: {problem}" };
        }

        /// <summary>The first place two values differ: a path into lists/maps and the two values there.</summary>
        private static (string Path, AttributeValue Expected, AttributeValue Stored) FirstDifference(string path, AttributeValue a, AttributeValue b)
        {
            if (a.L != null && b.L != null && a.L.Count == b.L.Count)
            {
                for (int i = 0; i < a.L.Count; i++)
                    if (!Same(a.L[i], b.L[i])) return FirstDifference($"{path}.{i}", a.L[i], b.L[i]);
            }
            else if (a.M != null && b.M != null && a.M.Count == b.M.Count)
            {
                foreach (var (key, value) in a.M)
                {
                    if (!b.M.TryGetValue(key, out AttributeValue other)) return ($"{path}.{key}", value, new AttributeValue { NULL = true });
                    if (!Same(value, other)) return FirstDifference($"{path}.{key}", value, other);
                }
            }
            return (path, a, b);
        }

        public static bool Same(AttributeValue a, AttributeValue b)
        {
            if (a == null || b == null) return a == b;
            if (a.S != null || b.S != null) return a.S == b.S;
            if (a.N != null || b.N != null) return a.N != null && b.N != null && NumberText.SameNumber(a.N, b.N);
            if (a.BOOL != null || b.BOOL != null) return a.BOOL == b.BOOL;
            if (a.NULL == true || b.NULL == true) return a.NULL == b.NULL;
            if (a.B != null || b.B != null) return a.B != null && b.B != null && a.B.ToArray().SequenceEqual(b.B.ToArray());
            if (a.L != null && a.L.Count > 0 || b.L != null && b.L.Count > 0 || a.IsLSet || b.IsLSet)
                return a.L != null && b.L != null && a.L.Count == b.L.Count && a.L.Zip(b.L).All(p => Same(p.First, p.Second));
            if (a.M != null && a.M.Count > 0 || b.M != null && b.M.Count > 0 || a.IsMSet || b.IsMSet)
                return a.M != null && b.M != null && a.M.Count == b.M.Count && a.M.All(p => b.M.TryGetValue(p.Key, out AttributeValue v) && Same(p.Value, v));
            if (a.SS?.Count > 0 || b.SS?.Count > 0) return (a.SS ?? new List<string>()).OrderBy(x => x, StringComparer.Ordinal).SequenceEqual((b.SS ?? new List<string>()).OrderBy(x => x, StringComparer.Ordinal));
            if (a.NS?.Count > 0 || b.NS?.Count > 0) return (a.NS ?? new List<string>()).Count == (b.NS ?? new List<string>()).Count;
            return true;
        }

        /// <summary>A value in short DynamoDB notation: S "…", N 12.5, BOOL true, NULL, B[3 bytes], L[S "a", S "b"], M{k: S "v"} (cut at 120 characters).</summary>
        internal static string Show(AttributeValue v)
        {
            var text = new System.Text.StringBuilder();
            Append(text, v, 0);
            return text.Length > 120 ? text.ToString(0, 117) + "..." : text.ToString();
        }

        private static void Append(System.Text.StringBuilder text, AttributeValue v, int depth)
        {
            if (text.Length > 200 || depth > 5) { text.Append('…'); return; }
            if (v == null) text.Append("(none)");
            else if (v.S != null) text.Append("S \"").Append(v.S).Append('"');
            else if (v.N != null) text.Append("N ").Append(v.N);
            else if (v.BOOL != null) text.Append("BOOL ").Append(v.BOOL.Value ? "true" : "false");
            else if (v.NULL == true) text.Append("NULL");
            else if (v.B != null) text.Append("B[").Append(v.B.Length).Append(" bytes]");
            else if (v.IsLSet || v.L?.Count > 0)
            {
                text.Append("L[");
                for (int i = 0; i < v.L.Count; i++) { if (i > 0) text.Append(", "); Append(text, v.L[i], depth + 1); if (text.Length > 200) break; }
                text.Append(']');
            }
            else if (v.IsMSet || v.M?.Count > 0)
            {
                text.Append("M{");
                bool first = true;
                foreach (var (key, value) in v.M)
                {
                    if (!first) text.Append(", ");
                    first = false;
                    text.Append(key).Append(": ");
                    if (Secrets.IsSecretName(key)) text.Append("(not shown)"); else Append(text, value, depth + 1);
                    if (text.Length > 200) break;
                }
                text.Append('}');
            }
            else text.Append('?');
        }
    }
}
