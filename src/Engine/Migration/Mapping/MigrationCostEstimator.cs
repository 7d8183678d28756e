using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Import;
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
        private bool tableExists;

        public MigrationCostEstimator(EntityMapper mapper) => this.mapper = mapper;

        public async Task<MigrationCostEstimate[]> EstimateAsync(MigrationCostRequest request, IOperationContext context)
        {
            (long? tableWcu, long? indexWcu) = request.TableName == null ? (null, null) : await ProvisionedCapacity(request.TableName, context).ConfigureAwait(false);
            tableExists = request.TableName != null; // ProvisionedCapacity stops with TableNotFound otherwise
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
            // The import's view of the same sample: DYNAMODB_JSON lines, gzipped, and this machine's time to make them.
            using var lines = new StagingPart(null);
            var staging = new Stopwatch();
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
                staging.Start();
                MappingResult result = mapper.Map(entity, document.Document);
                if (!result.IsRejected) lines.Write(result.Item);
                staging.Stop();
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
            long stagedSample = lines.Finish();
            double items = itemCount * acceptedShare;
            var import = new ImportFigures(
                Bytes: accepted > 0 ? (long)Math.Ceiling((double)lines.Bytes / accepted * items) : 0,
                StagedBytes: accepted > 0 ? (long)Math.Ceiling((double)stagedSample / accepted * items) : 0,
                TimeToStage: sampled > 0 ? TimeSpan.FromTicks((long)(staging.Elapsed.Ticks / (double)sampled * (itemCount - malformed))) : TimeSpan.Zero);
            return Row(entity.ToString(), source.Description, itemCount, sampled, rejected, averageBytes, maxBytes, over, unitsPerItem,
                writeUnits, storageGb, request, tableWcu, indexWcu, malformed, import);
        }

        /// <summary>The import's side of an estimate: uncompressed DYNAMODB_JSON bytes, gzipped bytes, local staging time.</summary>
        private readonly record struct ImportFigures(long Bytes, long StagedBytes, TimeSpan TimeToStage);

        private MigrationCostEstimate Total(List<MigrationCostEstimate> rows, MigrationCostRequest request, long? tableWcu, long? indexWcu)
        {
            long items = rows.Sum(r => r.ItemCount);
            int sampled = rows.Sum(r => r.Sampled);
            long units = rows.Sum(r => r.WriteUnits);
            double average = sampled == 0 ? 0 : rows.Sum(r => r.AverageItemBytes * (r.Sampled - r.SampleRejected)) / Math.Max(1, rows.Sum(r => r.Sampled - r.SampleRejected));
            var import = new ImportFigures(rows.Sum(r => r.ImportBytes), rows.Sum(r => r.StagingBytes), TimeSpan.FromTicks(rows.Sum(r => r.TimeToStage.Ticks)));
            return Row("Total", null, items, sampled, rows.Sum(r => r.SampleRejected), average, rows.Max(r => r.MaxItemBytes),
                rows.Sum(r => r.ItemsOver400KB), items == 0 ? 0 : (double)units / items, units, rows.Sum(r => r.StorageGbMonth), request, tableWcu, indexWcu,
                rows.Sum(r => r.MalformedDocuments), import);
        }

        private MigrationCostEstimate Row(string entity, string source, long items, int sampled, int rejected, double averageBytes, int maxBytes,
            int over, double unitsPerItem, long writeUnits, double storageGb, MigrationCostRequest request, long? tableWcu, long? indexWcu, long malformed,
            ImportFigures import)
        {
            TimeSpan? provisioned = null;
            if (tableWcu > 0 && indexWcu > 0)
                // Table and GSI1 each take half the units; the slower of the two sets the pace.
                provisioned = TimeSpan.FromSeconds(Math.Max(writeUnits / 2.0 / tableWcu.Value, writeUnits / 2.0 / indexWcu.Value));
            double writeCost = Math.Round(writeUnits / 1_000_000.0 * request.PricePerMillionWriteUnits, 6);
            double importGb = import.Bytes / BytesPerGb;
            double importCost = Math.Round(importGb * request.PricePerGbImport, 6);
            TimeSpan writeTime = provisioned ?? TimeSpan.FromSeconds(writeUnits / (double)MigrationCostRequest.OnDemandInitialWriteUnitsPerSecond);
            (MigrationMethod method, string why) = Recommend(writeCost, importCost, writeTime, provisioned.HasValue, request.TableName);
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
                OnDemandCostUsd = writeCost,
                ProvisionedWcu = tableWcu,
                TimeAtProvisionedWcu = provisioned,
                TimeAtOnDemandBaseline = TimeSpan.FromSeconds(writeUnits / (double)MigrationCostRequest.OnDemandInitialWriteUnitsPerSecond),
                StorageGbMonth = Math.Round(storageGb, 9),
                StorageCostUsdPerMonth = Math.Round(storageGb * request.PricePerGbMonth, 6),
                ImportBytes = import.Bytes,
                ImportGb = Math.Round(importGb, 9),
                PricePerGbImport = request.PricePerGbImport,
                ImportCostUsd = importCost,
                StagingBytes = import.StagedBytes,
                StagingObjects = (int)Math.Ceiling(import.Bytes / (double)ImportSpec.DefaultStagingObjectBytes),
                TimeToStage = import.TimeToStage,
                RecommendedMethod = method,
                Recommendation = why,
            };
        }

        /// <summary>Below this saving the write path wins: no staging bucket, no new table, and it resumes item by item.</summary>
        private const double ImportWorthUsd = 1.0;
        private static readonly TimeSpan ImportWorthTime = TimeSpan.FromHours(1);

        /// <summary>
        /// Import when the table does not exist yet and the import saves at least USD 1 or the write path needs an hour or more;
        /// otherwise Write.
        /// </summary>
        private (MigrationMethod, string) Recommend(double writeCost, double importCost, TimeSpan writeTime, bool provisioned, string tableName)
        {
            string pace = provisioned ? "at the table's provisioned WCU" : $"at the {MigrationCostRequest.OnDemandInitialWriteUnitsPerSecond:N0} WRU/s a new on-demand table absorbs";
            string costs = $"writing costs USD {Money(writeCost)} and takes {Duration(writeTime)} {pace}; importing costs USD {Money(importCost)}";
            if (tableExists)
                return (MigrationMethod.Write, $"Write: table '{tableName}' exists and ImportTable only creates a new table ({costs}).");
            bool cheaper = importCost < writeCost;
            if (cheaper && (writeCost - importCost >= ImportWorthUsd || writeTime >= ImportWorthTime))
                return (MigrationMethod.Import, $"Import: {costs} ({(writeCost > 0 ? (writeCost - importCost) / writeCost : 0):P0} less) and uses no write capacity; it needs a table that does not exist yet and a staging bucket.");
            return (MigrationMethod.Write, $"Write: {costs}; {(cheaper ? $"the import would save under USD {ImportWorthUsd:N0}" : "the import costs more")} and the write path needs no staging bucket or new table.");
        }

        private static string Money(double usd) => usd >= 1 ? usd.ToString("N2", System.Globalization.CultureInfo.InvariantCulture) : usd.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

        private static string Duration(TimeSpan time) => time.TotalDays >= 1 ? time.ToString(@"d\.hh\:mm\:ss") : time.ToString(@"hh\:mm\:ss");

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
