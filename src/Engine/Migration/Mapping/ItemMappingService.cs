using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Sources;
using EcommerceAws.Output;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>ConvertTo-EcommerceItem and Measure-MigrationCost: the <see cref="EntityMapper"/> seen from PowerShell.</summary>
    public sealed class ItemMappingService
    {

        private readonly EntityMapper mapper = new EntityMapper();

        public EcommerceItemPreview Preview(EcommerceEntity entity, string extendedJson)
        {
            BsonDocument document;
            try { document = BsonDocument.Parse(extendedJson); }
            catch (Exception ex) when (ex is FormatException || ex is BsonException || ex is InvalidOperationException || ex is ArgumentException || ex is EndOfStreamException)
            {
                throw EcommerceErrors.InvalidDocument(entity, "The input is not a MongoDB document in Extended JSON: " + ExtendedJsonFileSource.Redact(ex.Message), ErrorCategory.InvalidData);
            }
            return ToPreview(entity, mapper.Map(entity, document));
        }

        public async Task PreviewSourceAsync(EcommerceEntity entity, MigrationSourceSpec source, long? first, IOperationContext context)
        {
            await using IDocumentSource documents = Open(entity, source);
            context.WriteVerbose($"Mapping {entity} documents from {documents.Description}.");
            long n = 0;
            // A whole source shows what the migration would: documents that do not parse, and repeated keys, are rejects too.
            var keys = new Pipeline.KeyRegistry(documents.UniqueSortedIds);
            await foreach (SourceDocument document in documents.ReadAsync(null, context.Cancellation).ConfigureAwait(false))
            {
                if (first.HasValue && n >= first.Value) break;
                MappingResult result = document.Document == null
                    ? MappingResult.Rejected(new RejectRecord(entity, null, RejectReason.MalformedDocument, null, document.Malformed))
                    : mapper.Map(entity, document.Document);
                if (!result.IsRejected && keys.Check(entity, document.Document["_id"], result.Id, fromFile: !documents.UniqueSortedIds) is RejectRecord duplicate)
                    result = MappingResult.Rejected(duplicate);
                context.WriteObject(ToPreview(entity, result));
                n++;
            }
            context.WriteVerbose($"Mapped {n} {entity} document(s).");
        }

        public Task<MigrationCostEstimate[]> EstimateCostAsync(MigrationCostRequest request, IOperationContext context) =>
            new MigrationCostEstimator(mapper).EstimateAsync(request, context);

        /// <summary>Opens a source per spec (the entity's default collection when none is named).</summary>
        internal static IDocumentSource Open(EcommerceEntity entity, MigrationSourceSpec source) =>
            source.Path != null
                ? DocumentSources.FromFile(source.Path)
                : DocumentSources.FromMongo(source.MongoUri, source.Database, source.Collection ?? EntityKeys.DefaultCollection(entity));

        internal static EcommerceItemPreview ToPreview(EcommerceEntity entity, MappingResult result)
        {
            if (result.IsRejected)
                return new EcommerceItemPreview
                {
                    Entity = entity,
                    Id = result.Id,
                    Rejected = true,
                    RejectReason = result.Reject.Reason.ToString(),
                    RejectField = result.Reject.Field,
                    RejectDetail = result.Reject.Detail,
                };
            string pk = result.Item[EntityKeys.PartitionKey].S, sk = result.Item[EntityKeys.SortKey].S;
            return new EcommerceItemPreview
            {
                Entity = entity,
                Id = result.Id,
                PK = pk,
                SK = sk,
                GSI1PK = result.Item[EntityKeys.Gsi1PartitionKey].S,
                GSI1SK = result.Item[EntityKeys.Gsi1SortKey].S,
                Key = pk + " / " + sk,
                SizeBytes = result.SizeBytes,
                WriteUnits = ItemRules.WriteUnits(result.SizeBytes),
                Item = ToDynamoJson(result.Item, false),
            };
        }

        private static OrderedDictionary ToDynamoJson(IEnumerable<KeyValuePair<string, AttributeValue>> attributes, bool secret)
        {
            var map = new OrderedDictionary(StringComparer.Ordinal);
            foreach (KeyValuePair<string, AttributeValue> pair in attributes)
                map[pair.Key] = ToDynamoJson(pair.Value, secret || Secrets.IsSecretName(pair.Key));
            return map;
        }

        /// <summary>One value as DynamoDB JSON ({S: ...}); values under a secret-looking name become ****.</summary>
        private static OrderedDictionary ToDynamoJson(AttributeValue value, bool secret)
        {
            var typed = new OrderedDictionary(StringComparer.Ordinal);
            if (value.S != null) typed["S"] = secret ? Secrets.Mask : value.S;
            else if (value.N != null) typed["N"] = secret ? Secrets.Mask : value.N;
            else if (value.B != null) typed["B"] = secret ? Secrets.Mask : Convert.ToBase64String(value.B.ToArray());
            else if (value.BOOL.HasValue) typed["BOOL"] = value.BOOL.Value;
            else if (value.NULL.HasValue) typed["NULL"] = true;
            else if (value.L != null)
            {
                var list = new object[value.L.Count];
                for (int i = 0; i < list.Length; i++) list[i] = ToDynamoJson(value.L[i], secret);
                typed["L"] = list;
            }
            else if (value.M != null) typed["M"] = ToDynamoJson(value.M, secret);
            return typed;
        }
    }
}
