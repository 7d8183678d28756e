using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using Amazon.S3;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration.Import;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Sources;
using EcommerceAws.Output;
using MongoDB.Driver;

namespace EcommerceAws.Engine.Migration
{
    /// <summary>The migration engine behind Invoke-*Migration, Get-MigrationStatus, Test-EcommerceMigration and the Remove-Migration* cmdlets.</summary>
    public sealed class MigrationService
    {
        /// <summary>The status item's partition key, as Remove-MigrationStatus names it to the user (MIGRATION#PRODUCT, …).</summary>
        public static string StatusItemKey(EcommerceEntity entity) => Mapping.EntityKeys.StatusKey(entity);

        public async Task<MigrationResult> MigrateAsync(MigrationSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            TableDescription table = await DescribeTableAsync(dynamo, spec.TableName, context).ConfigureAwait(false); // before the source is opened
            CheckSchema(table, spec.TableName);
            await using IDocumentSource source = OpenSource(spec.Entity, spec.Source);
            return await new MigrationRun(spec, context, dynamo, table).RunAsync(source).ConfigureAwait(false);
        }

        /// <summary>
        /// Sync-EcommerceMigration (docs/DESIGN.md §5): per entity, in parallel, a full load (unless a completed one with a start point
        /// exists) and the change stream from the start point, until -Drain has caught up, -Until or Ctrl+C. One result per entity.
        /// </summary>
        public async Task<IReadOnlyList<MigrationSyncResult>> SyncAsync(SyncSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            if (spec.Source == null || string.IsNullOrEmpty(spec.Source.MongoUri))
                throw new EcommerceException("SyncNeedsMongoSource", ErrorCategory.InvalidArgument, spec.Source?.Path ?? spec.TableName,
                    "Sync-EcommerceMigration reads changes from MongoDB's change streams; a dump file or folder (-Path) has no changes to follow. Nothing was read or written.",
                    "Pass -MongoUri (a replica set, a one-node set is enough), or migrate the dump once with Invoke-EcommerceMigration -Path.");
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            TableDescription table = await DescribeTableAsync(dynamo, spec.TableName, context).ConfigureAwait(false);
            CheckSchema(table, spec.TableName);
            EcommerceEntity[] entities = spec.Entities == null || spec.Entities.Length == 0 ? Enum.GetValues<EcommerceEntity>() : spec.Entities.Distinct().OrderBy(e => e).ToArray();
            var sources = entities.Select(e => new MongoDocumentSource(spec.Source.MongoUri, spec.Source.Database, EntityKeys.DefaultCollection(e))).ToArray();
            try
            {
                // -Drain: the source's cluster time now, before any stream is read; each entity catches up to it and stops.
                MongoDB.Bson.BsonTimestamp drainTarget = spec.Drain
                    ? await Sync.SyncRun.SourceTimeAsync(sources[0], sources[0].Collection().Database, context.Cancellation).ConfigureAwait(false)
                    : null;
                using var stop = new System.Threading.CancellationTokenSource();
                var runs = entities.Select((entity, i) => RunOne(entity, i)).ToArray();
                async Task<MigrationSyncResult> RunOne(EcommerceEntity entity, int i)
                {
                    try { return await new Sync.SyncRun(spec, entity, context, dynamo, table, 10 + i).RunAsync(sources[i], drainTarget, stop.Token).ConfigureAwait(false); }
                    catch { stop.Cancel(); throw; } // one entity failed: the others stop at their resume points
                }
                try { await Task.WhenAll(runs).ConfigureAwait(false); }
                catch (Exception) when (runs.Any(r => r.IsCompletedSuccessfully))
                {
                    foreach (var done in runs.Where(r => r.IsCompletedSuccessfully)) context.WriteObject(done.Result);
                    throw runs.First(r => r.IsFaulted).Exception.GetBaseException();
                }
                return runs.Select(r => r.Result).ToArray();
            }
            finally
            {
                foreach (var source in sources) await source.DisposeAsync().ConfigureAwait(false);
            }
        }

        /// <summary>
        /// -Method Import: stages every entity's documents in S3 and loads them with one ImportTable call into a table that does
        /// not exist yet (docs/DESIGN.md §5). One result per entity, in the order given.
        /// </summary>
        public async Task<IReadOnlyList<MigrationResult>> ImportAsync(ImportSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            AssetInputValidation.BucketName(spec.StagingBucket);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            var sources = new List<(EcommerceEntity, IDocumentSource)>();
            try
            {
                foreach (ImportEntitySpec entity in spec.Entities) sources.Add((entity.Entity, OpenSource(entity.Entity, entity.Source)));
                return await new ImportRun(spec, context, dynamo, s3).RunAsync(sources).ConfigureAwait(false);
            }
            finally
            {
                foreach ((EcommerceEntity _, IDocumentSource source) in sources) await source.DisposeAsync().ConfigureAwait(false);
            }
        }

        public async Task<IReadOnlyList<MigrationStatusInfo>> GetStatusAsync(string tableName, IReadOnlyList<EcommerceEntity> entities, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            await DescribeTableAsync(dynamo, tableName, context).ConfigureAwait(false);
            var store = new MigrationStatusStore(dynamo, tableName);
            var rows = new List<MigrationStatusInfo>();
            foreach (EcommerceEntity entity in entities)
            {
                MigrationStatusRecord record = await store.GetAsync(entity, context.Cancellation).ConfigureAwait(false);
                if (record != null) rows.Add(record.ToInfo(tableName));
            }
            return rows;
        }

        public async Task<MigrationVerification> VerifyAsync(VerificationSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            await DescribeTableAsync(dynamo, spec.TableName, context).ConfigureAwait(false);
            var store = new MigrationStatusStore(dynamo, spec.TableName);
            var verifier = new MigrationVerifier(dynamo, spec.TableName, context);
            var notes = new List<string>();
            MigrationStatusRecord status = await store.GetAsync(spec.Entity, context.Cancellation).ConfigureAwait(false);

            if (spec.Full)
            {
                if (spec.Source == null || !spec.Source.IsGiven)
                    throw new EcommerceException("VerificationNeedsSource", ErrorCategory.InvalidArgument, spec.Entity,
                        "-Full compares every source document with its item: it needs the source.", "Pass -MongoUri (or -Path) with -Full.");
                await using IDocumentSource full = OpenSource(spec.Entity, spec.Source);
                context.WriteVerbose($"{spec.Entity}: comparing every document of {full.Description} with its item.");
                var (seen, expectedItems, actualItems, missing, extra, different, listed) = await verifier.CompareFullAsync(spec.Entity, full, Math.Max(0, spec.MaxListed)).ConfigureAwait(false);
                if (status?.Sync?.Phase == SyncPhase.Streaming)
                    notes.Add("A sync is streaming (not Drained): changes made since its last event may not be applied yet.");
                bool ok = missing == 0 && extra == 0 && different == 0;
                if (missing + extra + different > listed.Count) notes.Add($"{missing + extra + different:N0} differences; the first {listed.Count:N0} are listed.");
                DateTime at = DateTime.UtcNow;
                if (status != null && spec.Record) await store.SetVerificationAsync(spec.Entity, at, ok, context.Cancellation).ConfigureAwait(false);
                return new MigrationVerification
                {
                    TableName = spec.TableName, Entity = spec.Entity, Passed = ok, ExpectedCount = expectedItems, ActualCount = actualItems, SampleSize = (int)Math.Min(int.MaxValue, seen),
                    Mismatches = listed.ToArray(), VerifiedAt = at, Notes = notes.ToArray(), Full = true, Missing = missing, Extra = extra, Different = different,
                };
            }
            context.WriteVerbose($"{spec.Entity}: counting items with a {spec.Segments}-segment parallel Scan.");
            long actual = await verifier.CountAsync(spec.Entity, Math.Max(1, spec.Segments)).ConfigureAwait(false);
            long rejected = status?.Rejected ?? 0;
            long? sourceCount = status?.SourceCount;
            if (status == null) notes.Add("No migration status item: rejects unknown, expected count is the source count.");
            else if (status.State != MigrationState.Completed) notes.Add($"The last migration run is {status.State}, not Completed.");

            int compared = 0;
            var mismatches = new List<MigrationMismatch>();
            if (spec.Source != null && spec.Source.IsGiven)
            {
                await using IDocumentSource source = OpenSource(spec.Entity, spec.Source);
                if (status?.SourceIdentity != null && !status.SourceIdentity.AdmitsResumeFrom(source.Identity))
                    mismatches.Add(new MigrationMismatch { Id = "(source)", Problem = $"the migration read {status.SourceIdentity}, not {source.Identity}" });
                // Recount the source itself (one pass, which also draws the sample) rather than trust the recorded count.
                context.WriteVerbose($"{spec.Entity}: counting the documents of {source.Description}" + (spec.SampleSize > 0 ? $" and re-mapping a random sample of {spec.SampleSize}." : "."));
                (long counted, int sampled, List<MigrationMismatch> found) = await verifier.CompareSampleAsync(spec.Entity, source, spec.SampleSize).ConfigureAwait(false);
                if (status != null && counted != status.SourceCount)
                    notes.Add($"The source now has {DisplayText.Count(counted, "document")}; the status item says {status.SourceCount:N0}.");
                sourceCount = counted;
                compared = sampled;
                mismatches.AddRange(found);
            }
            else
            {
                notes.Add("Source not recounted and sample not compared: pass -MongoUri or -Path (the masked source in the status item cannot be read).");
                context.WriteWarning($"{spec.Entity}: counts only, from the status item. Recounting the source and the sample comparison need the source: pass -MongoUri or -Path.");
            }

            long expected = (sourceCount ?? 0) - rejected;
            if (sourceCount == null) notes.Add("Source count unknown: no status item and no source given.");
            bool passed = sourceCount != null && expected == actual && mismatches.Count == 0;
            if (expected != actual && sourceCount != null)
                mismatches.Insert(0, new MigrationMismatch { Id = "(count)", Problem = $"expected {expected} {spec.Entity} items (source {sourceCount} − {rejected} rejected), the table has {actual}" });
            DateTime now = DateTime.UtcNow;
            if (status != null && spec.Record) await store.SetVerificationAsync(spec.Entity, now, passed, context.Cancellation).ConfigureAwait(false);
            return new MigrationVerification
            {
                TableName = spec.TableName, Entity = spec.Entity, Passed = passed, ExpectedCount = expected, ActualCount = actual,
                SampleSize = compared, Mismatches = mismatches.ToArray(), VerifiedAt = now, Notes = notes.ToArray(),
            };
        }

        public async Task<IReadOnlyList<EcommerceEntity>> RemoveStatusAsync(string tableName, IReadOnlyList<EcommerceEntity> entities, bool force, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            await DescribeTableAsync(dynamo, tableName, context).ConfigureAwait(false);
            var store = new MigrationStatusStore(dynamo, tableName);
            var removed = new List<EcommerceEntity>();
            foreach (EcommerceEntity entity in entities)
            {
                bool? existed = await store.DeleteAsync(entity, force, context.Cancellation).ConfigureAwait(false);
                if (existed == true) removed.Add(entity);
                else if (existed == null) // a run holds it: deleting the checkpoint under it would let its next status write recreate a partial one
                    context.WriteError(MigrationLease.AlreadyRunning(tableName, entity, await store.GetAsync(entity, context.Cancellation).ConfigureAwait(false),
                        "Its status item was not deleted (use -Force to delete it anyway)."));
            }
            return removed;
        }

        public async Task<string> CheckSourceRemovableAsync(string tableName, EcommerceEntity entity, MigrationSourceSpec source, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            await DescribeTableAsync(dynamo, tableName, context).ConfigureAwait(false);
            MigrationStatusRecord status = await new MigrationStatusStore(dynamo, tableName).GetAsync(entity, context.Cancellation).ConfigureAwait(false);
            string described = DescribeSource(entity, source);
            string problem =
                status == null ? $"there is no {entity} migration status in table '{tableName}'"
                : status.State != MigrationState.Completed ? $"the last {entity} migration is {status.State}, not Completed"
                : status.LastVerificationPassed != true || status.LastVerifiedAt == null ? $"the {entity} migration has not passed Test-EcommerceMigration"
                : status.FinishedAt != null && status.LastVerifiedAt < status.FinishedAt ? $"the last passed verification ({status.LastVerifiedAt:u}) is older than the last completed run ({status.FinishedAt:u})"
                : !string.Equals(status.Source, described, StringComparison.Ordinal) ? $"the {entity} migration read from {status.Source}, not from {described}"
                : null;
            if (problem != null)
                throw new EcommerceException("MigrationNotVerified", ErrorCategory.InvalidOperation, described,
                    $"The source collection was not dropped: {problem}.",
                    $"Run Test-EcommerceMigration -TableName {tableName} -Entity {entity} with the same -MongoUri; when it passes, run Remove-MigratedSource again.");
            return described;
        }

        public async Task RemoveSourceAsync(string tableName, EcommerceEntity entity, MigrationSourceSpec source, IOperationContext context)
        {
            await CheckSourceRemovableAsync(tableName, entity, source, context).ConfigureAwait(false);
            MongoUrl url = new MongoUrl(source.MongoUri);
            string database = source.Database ?? url.DatabaseName;
            string collection = source.Collection ?? EntityKeys.DefaultCollection(entity);
            try
            {
                var client = new MongoClient(url);
                await client.GetDatabase(database).DropCollectionAsync(collection, context.Cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MongoException || ex is TimeoutException)
            {
                string servers = string.Join(",", url.Servers.Select(s => $"{s.Host}:{s.Port}"));
                throw new EcommerceException(ex is MongoAuthenticationException ? "MongoAuthenticationFailed" : "MongoDropFailed",
                    ex is MongoAuthenticationException ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, $"{database}.{collection}",
                    $"Could not drop {database}.{collection} on {servers}: {ex.GetType().Name}.", "Check the server, the user's rights and the URI.");
            }
            context.WriteVerbose($"Dropped {database}.{collection} ({Secrets.MaskUrl(source.MongoUri)}).");
        }

        public string DescribeSource(EcommerceEntity entity, MigrationSourceSpec source)
        {
            if (source == null || !source.IsGiven) return null;
            if (!string.IsNullOrEmpty(source.Path)) return source.Path;
            IDocumentSource opened = OpenSource(entity, source);
            string description = opened.Description;
            opened.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return description;
        }

        private static IDocumentSource OpenSource(EcommerceEntity entity, MigrationSourceSpec source)
        {
            if (source == null || !source.IsGiven)
                throw new EcommerceException("MigrationSourceMissing", ErrorCategory.InvalidArgument, entity,
                    "No source given.", "Pass -MongoUri (with -Database/-Collection as needed) or -Path.");
            return !string.IsNullOrEmpty(source.Path)
                ? DocumentSources.FromFile(source.Path)
                : DocumentSources.FromMongo(source.MongoUri, source.Database, source.Collection ?? EntityKeys.DefaultCollection(entity));
        }

        /// <summary>TableSchemaMismatch unless the table has the single table's keys (PK/SK strings, GSI1 on GSI1PK/GSI1SK strings), before anything is read.</summary>
        private static void CheckSchema(TableDescription table, string tableName)
        {
            string Type(string name) => table.AttributeDefinitions?.FirstOrDefault(a => a.AttributeName == name)?.AttributeType?.Value;
            string Key(List<KeySchemaElement> schema, string type) => schema?.FirstOrDefault(k => k.KeyType?.Value == type)?.AttributeName;
            GlobalSecondaryIndexDescription gsi1 = table.GlobalSecondaryIndexes?.FirstOrDefault(g => g.IndexName == EntityKeys.Gsi1IndexName);
            bool ok = Key(table.KeySchema, "HASH") == EntityKeys.PartitionKey && Key(table.KeySchema, "RANGE") == EntityKeys.SortKey
                && gsi1 != null && Key(gsi1.KeySchema, "HASH") == EntityKeys.Gsi1PartitionKey && Key(gsi1.KeySchema, "RANGE") == EntityKeys.Gsi1SortKey
                && new[] { EntityKeys.PartitionKey, EntityKeys.SortKey, EntityKeys.Gsi1PartitionKey, EntityKeys.Gsi1SortKey }.All(k => Type(k) == "S");
            if (!ok)
                throw EcommerceErrors.TableSchemaMismatch(tableName, $"Table '{tableName}' is not an e-commerce single table: it needs string keys PK (partition) and SK (sort) and an index GSI1 on GSI1PK and GSI1SK; nothing was read or written.", "Create the table with New-EcommerceTable, or pass the right -TableName.", ErrorCategory.InvalidArgument);
        }

        private static async Task<TableDescription> DescribeTableAsync(IAmazonDynamoDB dynamo, string tableName, IOperationContext context)
        {
            try
            {
                DescribeTableResponse response = await dynamo.DescribeTableAsync(tableName, context.Cancellation).ConfigureAwait(false);
                return response.Table;
            }
            catch (ResourceNotFoundException)
            {
                throw EcommerceErrors.TableNotFound(tableName);
            }
            catch (Amazon.Runtime.AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, tableName, "DescribeTable");
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                throw EcommerceErrors.AwsEndpointUnreachable("DescribeTable", tableName, ex);
            }
        }
    }
}
