using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Items;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// Measure-MigrationCost: reads each source once, maps a systematic sample (every k-th document) with the
    /// migration's own mapper, and turns item sizes into write units, on-demand cost, time and storage.
    /// Per item: ceil(size / 1 KB) table write units plus the same again for GSI1 (it projects ALL attributes).
    /// </summary>
    internal sealed class MigrationCostEstimator
    {
        /// <summary>DynamoDB's per-item storage overhead (bytes), in the table and again in the index.</summary>
        private const int StorageOverheadBytes = 100;
        private const double BytesPerGb = 1024d * 1024 * 1024;

        private readonly EntityMapper mapper;

        public MigrationCostEstimator(EntityMapper mapper) => this.mapper = mapper;

        public async Task<MigrationCostEstimate[]> EstimateAsync(MigrationCostRequest request, IOperationContext context)
        {
            (long? tableWcu, long? indexWcu) = request.TableName == null ? (null, null) : await ProvisionedCapacity(request.TableName, context).ConfigureAwait(false);
            var rows = new List<MigrationCostEstimate>();
            for (int i = 0; i < request.Entities.Length; i++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                rows.Add(await EstimateEntity(request.Entities[i], request.Sources[i], request, tableWcu, indexWcu, context).ConfigureAwait(false));
            }
            if (rows.Count > 1) rows.Add(Total(rows, request, tableWcu, indexWcu));
            return rows.ToArray();
        }

        private async Task<MigrationCostEstimate> EstimateEntity(EcommerceEntity entity, MigrationSourceSpec spec, MigrationCostRequest request,
            long? tableWcu, long? indexWcu, IOperationContext context)
        {
            await using IDocumentSource source = ItemMappingService.Open(entity, spec);
            long? counted = await source.CountAsync(context.Cancellation).ConfigureAwait(false);
            long stride = counted.HasValue ? Math.Max(1, (counted.Value + request.SampleSize - 1) / request.SampleSize) : 1;
            context.WriteVerbose($"{entity}: {source.Description}: {(counted.HasValue ? counted.Value.ToString() : "unknown")} document(s), mapping every {stride}.");
            long read = 0, malformed = 0;
            string firstMalformed = null;
            int sampled = 0, rejected = 0, maxBytes = 0, over = 0;
            long totalBytes = 0, totalUnits = 0;
            await foreach (SourceDocument document in source.ReadAsync(null, context.Cancellation).ConfigureAwait(false))
            {
                read++;
                if (document.Document == null)
                {
                    // Counted like any document (the migration rejects it as MalformedDocument), never sampled.
                    malformed++;
                    firstMalformed ??= document.Malformed;
                    continue;
                }
                if ((read - 1) % stride != 0 || (counted.HasValue && sampled >= request.SampleSize)) continue;
                sampled++;
                MappingResult result = mapper.Map(entity, document.Document);
                int size = result.IsRejected ? 0 : result.SizeBytes;
                if (result.IsRejected)
                {
                    rejected++;
                    if (result.Reject.Reason == RejectReason.ItemTooLarge) { over++; size = EntityMapper.MaxItemBytes + 1; }
                    else continue;
                }
                maxBytes = Math.Max(maxBytes, size);
                if (result.IsRejected) continue;
                totalBytes += size;
                totalUnits += 2L * ItemRules.WriteUnits(size);
                if (read % 1000 == 0)
                    context.WriteProgress(new ProgressUpdate { Activity = "Measure-MigrationCost", Status = $"{entity}: {read} read",
                        PercentComplete = (int)((source.ProgressFraction ?? (counted > 0 ? (double)read / counted.Value : 0)) * 100) });
            }
            long itemCount = read;
            if (malformed > 0)
                context.WriteWarning($"{entity}: {malformed:N0} document(s) of {source.Description} do not parse; the migration rejects them as MalformedDocument (first: {firstMalformed}).");
            int accepted = sampled - rejected;
            double averageBytes = accepted > 0 ? (double)totalBytes / accepted : 0;
            double unitsPerItem = accepted > 0 ? (double)totalUnits / accepted : 0;
            double acceptedShare = sampled > 0 ? (double)accepted / sampled * (itemCount - malformed) / Math.Max(1, itemCount) : 0;
            long writeUnits = (long)Math.Ceiling(unitsPerItem * itemCount * acceptedShare);
            double storageGb = itemCount * acceptedShare * (2 * averageBytes + 2 * StorageOverheadBytes) / BytesPerGb;
            return Row(entity.ToString(), source.Description, itemCount, sampled, rejected, averageBytes, maxBytes, over, unitsPerItem,
                writeUnits, storageGb, request, tableWcu, indexWcu, malformed);
        }

        private static MigrationCostEstimate Total(List<MigrationCostEstimate> rows, MigrationCostRequest request, long? tableWcu, long? indexWcu)
        {
            long items = rows.Sum(r => r.ItemCount);
            int sampled = rows.Sum(r => r.Sampled);
            long units = rows.Sum(r => r.WriteUnits);
            double average = sampled == 0 ? 0 : rows.Sum(r => r.AverageItemBytes * (r.Sampled - r.SampleRejected)) / Math.Max(1, rows.Sum(r => r.Sampled - r.SampleRejected));
            return Row("Total", null, items, sampled, rows.Sum(r => r.SampleRejected), average, rows.Max(r => r.MaxItemBytes),
                rows.Sum(r => r.ItemsOver400KB), items == 0 ? 0 : (double)units / items, units, rows.Sum(r => r.StorageGbMonth), request, tableWcu, indexWcu,
                rows.Sum(r => r.MalformedDocuments));
        }

        private static MigrationCostEstimate Row(string entity, string source, long items, int sampled, int rejected, double averageBytes, int maxBytes,
            int over, double unitsPerItem, long writeUnits, double storageGb, MigrationCostRequest request, long? tableWcu, long? indexWcu, long malformed)
        {
            TimeSpan? provisioned = null;
            if (tableWcu > 0 && indexWcu > 0)
                // Table and GSI1 each take half the units; the slower of the two sets the pace.
                provisioned = TimeSpan.FromSeconds(Math.Max(writeUnits / 2.0 / tableWcu.Value, writeUnits / 2.0 / indexWcu.Value));
            return new MigrationCostEstimate
            {
                Entity = entity,
                Source = source,
                ItemCount = items,
                Sampled = sampled,
                SampleRejected = rejected,
                AverageItemBytes = Math.Round(averageBytes, 1),
                MaxItemBytes = maxBytes,
                ItemsOver400KB = over,
                MalformedDocuments = malformed,
                WriteUnitsPerItem = Math.Round(unitsPerItem, 3),
                WriteUnits = writeUnits,
                PricePerMillionWriteUnits = request.PricePerMillionWriteUnits,
                OnDemandCostUsd = Math.Round(writeUnits / 1_000_000.0 * request.PricePerMillionWriteUnits, 6),
                ProvisionedWcu = tableWcu,
                TimeAtProvisionedWcu = provisioned,
                TimeAtOnDemandBaseline = TimeSpan.FromSeconds(writeUnits / (double)MigrationCostRequest.OnDemandInitialWriteUnitsPerSecond),
                StorageGbMonth = Math.Round(storageGb, 9),
                StorageCostUsdPerMonth = Math.Round(storageGb * request.PricePerGbMonth, 6),
            };
        }

        /// <summary>The table's and GSI1's provisioned WCU; nulls for an on-demand table; TableNotFound when it is missing.</summary>
        private static async Task<(long?, long?)> ProvisionedCapacity(string tableName, IOperationContext context)
        {
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            TableDescription table;
            try
            {
                table = (await AwsCall.Run(() => dynamo.DescribeTableAsync(tableName, context.Cancellation), "DescribeTable", tableName).ConfigureAwait(false)).Table;
            }
            catch (EcommerceException ex) when (ex.ErrorId.EndsWith("ResourceNotFoundException", StringComparison.Ordinal))
            {
                throw EcommerceErrors.TableNotFound(tableName, "leave -TableName out");
            }
            string mode = table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";
            if (mode == "PAY_PER_REQUEST")
            {
                context.WriteVerbose($"Table '{tableName}' is on-demand: no provisioned time.");
                return (null, null);
            }
            long tableWcu = table.ProvisionedThroughput?.WriteCapacityUnits ?? 0;
            long indexWcu = table.GlobalSecondaryIndexes?.FirstOrDefault(g => g.IndexName == EntityKeys.Gsi1IndexName)?.ProvisionedThroughput?.WriteCapacityUnits ?? tableWcu;
            return (tableWcu, indexWcu);
        }
    }
}
