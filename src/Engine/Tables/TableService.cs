using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using BillingMode = EcommerceAws.Contract.BillingMode;
using DynamoBillingMode = Amazon.DynamoDBv2.BillingMode;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Tables
{
    /// <summary>Creates, describes and removes the single table of docs/DESIGN.md §4 (PK/SK + GSI1 on GSI1PK/GSI1SK).</summary>
    public sealed class TableService
    {
        public const string IndexName = EntityKeys.Gsi1IndexName;
        private static readonly TimeSpan WaitTimeout = TimeSpan.FromMinutes(20);

        public async Task<EcommerceTableInfo> CreateAsync(TableSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;

            TableDescription existing = await TryDescribe(dynamo, spec.TableName, context).ConfigureAwait(false);
            bool alreadyExisted = existing != null;
            if (alreadyExisted)
            {
                string[] differences = SchemaDifferences(existing).ToArray();
                if (differences.Length > 0)
                    throw EcommerceErrors.TableSchemaMismatch(spec.TableName, $"Table '{spec.TableName}' already exists with a different schema: {string.Join("; ", differences)}.", "Pick another -TableName, or migrate the existing table's data yourself before reusing the name.", ErrorCategory.ResourceExists);
                string actualMode = existing.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";
                if (actualMode != ToDynamo(spec.BillingMode).Value)
                    context.WriteWarning($"Table '{spec.TableName}' already exists with billing mode {actualMode}; it was left as it is (requested {ToDynamo(spec.BillingMode).Value}).");
                context.WriteVerbose($"Table '{spec.TableName}' already exists with the expected keys and index; reusing it.");
            }
            else
            {
                context.WriteVerbose($"Creating table '{spec.TableName}' ({ToDynamo(spec.BillingMode).Value}) in {region}.");
                await AwsCall.Run(() => dynamo.CreateTableAsync(BuildCreateRequest(spec), context.Cancellation), "CreateTable", spec.TableName)
                    .ConfigureAwait(false);
            }

            TableDescription table = spec.Wait || alreadyExisted
                ? await WaitUntilActive(dynamo, spec.TableName, context, spec.Wait).ConfigureAwait(false)
                : await Describe(dynamo, spec.TableName, context).ConfigureAwait(false);

            // Settings that need an ACTIVE table are reconciled on every run, so a re-run converges (e.g. after -NoWait).
            bool pitr = false;
            string ttl = null;
            if (table.TableStatus == TableStatus.ACTIVE)
            {
                pitr = await EnsurePointInTimeRecovery(dynamo, spec.TableName, spec.Wait, context).ConfigureAwait(false);
                ttl = await EnsureTimeToLive(dynamo, spec.TableName, spec.TimeToLiveAttribute, context).ConfigureAwait(false);
            }
            else
            {
                context.WriteWarning($"Table '{spec.TableName}' is {table.TableStatus}: point-in-time recovery{(spec.TimeToLiveAttribute != null ? " and time to live" : "")} are enabled once it is ACTIVE. Run New-EcommerceTable again then.");
            }
            return ToInfo(table, region, pitr, ttl, alreadyExisted);
        }

        public async Task<EcommerceTableInfo> DescribeAsync(string tableName, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            TableDescription table = await TryDescribe(dynamo, tableName, context).ConfigureAwait(false);
            if (table == null) return null;
            bool pitr = await GetPointInTimeRecovery(dynamo, tableName, context).ConfigureAwait(false);
            string ttl = await GetTimeToLive(dynamo, tableName, context).ConfigureAwait(false);
            return ToInfo(table, AwsEnvironment.ResolveRegion(context.Aws).SystemName, pitr, ttl, false);
        }

        public async Task<IReadOnlyList<string>> ListTableNamesAsync(IOperationContext context)
        {
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            var names = new List<string>();
            string start = null;
            do
            {
                ListTablesResponse page = await AwsCall.Run(() => dynamo.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start }, context.Cancellation),
                    "ListTables", null).ConfigureAwait(false);
                names.AddRange(page.TableNames ?? new List<string>());
                start = page.LastEvaluatedTableName;
            } while (!string.IsNullOrEmpty(start));
            return names;
        }

        public async Task RemoveAsync(string tableName, bool liftDeletionProtection, bool wait, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            TableDescription table = await TryDescribe(dynamo, tableName, context).ConfigureAwait(false)
                ?? throw EcommerceErrors.TableNotFound(tableName);
            if (table.DeletionProtectionEnabled == true)
            {
                if (!liftDeletionProtection)
                    throw new EcommerceException("TableDeletionProtected", ErrorCategory.InvalidOperation, tableName,
                        $"Table '{tableName}' has deletion protection on; nothing was deleted.",
                        "Add -Force to lift deletion protection and delete the table (its data is lost unless you restore a backup).");
                context.WriteVerbose($"Lifting deletion protection on '{tableName}'.");
                await AwsCall.Run(() => dynamo.UpdateTableAsync(new UpdateTableRequest { TableName = tableName, DeletionProtectionEnabled = false }, context.Cancellation),
                    "UpdateTable", tableName).ConfigureAwait(false);
                await WaitUntilActive(dynamo, tableName, context, true).ConfigureAwait(false);
            }
            await AwsCall.Run(() => dynamo.DeleteTableAsync(tableName, context.Cancellation), "DeleteTable", tableName).ConfigureAwait(false);
            if (!wait) return;
            var clock = Stopwatch.StartNew();
            while (await TryDescribe(dynamo, tableName, context).ConfigureAwait(false) != null)
            {
                if (clock.Elapsed > WaitTimeout) throw Timeout(tableName, "deleted");
                context.WriteProgress(new ProgressUpdate { Activity = $"Deleting table {tableName}", Status = $"Waiting ({clock.Elapsed.TotalSeconds:0} s)" });
                await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation).ConfigureAwait(false);
            }
            context.WriteProgress(new ProgressUpdate { Activity = $"Deleting table {tableName}", Completed = true });
        }

        internal static CreateTableRequest BuildCreateRequest(TableSpec spec)
        {
            bool provisioned = spec.BillingMode == BillingMode.Provisioned;
            ProvisionedThroughput throughput = provisioned ? new ProvisionedThroughput(spec.ReadCapacity, spec.WriteCapacity) : null;
            return new CreateTableRequest
            {
                TableName = spec.TableName,
                AttributeDefinitions = new List<AttributeDefinition>
                {
                    new AttributeDefinition(EntityKeys.PartitionKey, ScalarAttributeType.S),
                    new AttributeDefinition(EntityKeys.SortKey, ScalarAttributeType.S),
                    new AttributeDefinition(EntityKeys.Gsi1PartitionKey, ScalarAttributeType.S),
                    new AttributeDefinition(EntityKeys.Gsi1SortKey, ScalarAttributeType.S),
                },
                KeySchema = new List<KeySchemaElement> { new KeySchemaElement(EntityKeys.PartitionKey, KeyType.HASH), new KeySchemaElement(EntityKeys.SortKey, KeyType.RANGE) },
                GlobalSecondaryIndexes = new List<GlobalSecondaryIndex>
                {
                    new GlobalSecondaryIndex
                    {
                        IndexName = IndexName,
                        KeySchema = new List<KeySchemaElement> { new KeySchemaElement(EntityKeys.Gsi1PartitionKey, KeyType.HASH), new KeySchemaElement(EntityKeys.Gsi1SortKey, KeyType.RANGE) },
                        Projection = new Projection { ProjectionType = ProjectionType.ALL },
                        ProvisionedThroughput = throughput,
                    },
                },
                BillingMode = ToDynamo(spec.BillingMode),
                ProvisionedThroughput = throughput,
                DeletionProtectionEnabled = true,
                SSESpecification = new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = spec.KmsKeyId },
                Tags = spec.Tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
            };
        }

        /// <summary>
        /// ImportTable's TableCreationParameters for the same table <see cref="BuildCreateRequest"/> makes: keys, GSI1 projecting
        /// ALL, billing mode and capacity, SSE. What ImportTable cannot set (deletion protection, tags, point-in-time recovery,
        /// time to live) <see cref="FinishImportedAsync"/> applies once the import is over.
        /// </summary>
        internal static TableCreationParameters ImportParameters(TableSpec spec)
        {
            CreateTableRequest create = BuildCreateRequest(spec);
            return new TableCreationParameters
            {
                TableName = create.TableName,
                AttributeDefinitions = create.AttributeDefinitions,
                KeySchema = create.KeySchema,
                GlobalSecondaryIndexes = create.GlobalSecondaryIndexes,
                BillingMode = create.BillingMode,
                ProvisionedThroughput = create.ProvisionedThroughput,
                SSESpecification = create.SSESpecification,
            };
        }

        /// <summary>
        /// Makes a table an import created into the table New-EcommerceTable makes: waits until it is ACTIVE, then deletion
        /// protection, the tags (ManagedBy included), point-in-time recovery and time to live, each only when missing (a re-run converges).
        /// </summary>
        internal static async Task<EcommerceTableInfo> FinishImportedAsync(IAmazonDynamoDB dynamo, TableSpec spec, IOperationContext context)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            TableDescription table = await WaitUntilActive(dynamo, spec.TableName, context, wait: true).ConfigureAwait(false);
            if (table.DeletionProtectionEnabled != true)
            {
                context.WriteVerbose($"Turning deletion protection on for '{spec.TableName}'.");
                await AwsCall.Run(() => dynamo.UpdateTableAsync(new UpdateTableRequest { TableName = spec.TableName, DeletionProtectionEnabled = true }, context.Cancellation),
                    "UpdateTable", spec.TableName).ConfigureAwait(false);
                table = await WaitUntilActive(dynamo, spec.TableName, context, wait: true).ConfigureAwait(false);
            }
            List<Tag> tags = BuildCreateRequest(spec).Tags;
            if (tags.Count > 0)
                await AwsCall.Run(() => dynamo.TagResourceAsync(new TagResourceRequest { ResourceArn = table.TableArn, Tags = tags }, context.Cancellation),
                    "TagResource", spec.TableName).ConfigureAwait(false);
            bool pitr = await EnsurePointInTimeRecovery(dynamo, spec.TableName, spec.Wait, context).ConfigureAwait(false);
            string ttl = await EnsureTimeToLive(dynamo, spec.TableName, spec.TimeToLiveAttribute, context).ConfigureAwait(false);
            if (table.SSEDescription?.Status != SSEStatus.ENABLED)
                context.WriteWarning($"Table '{spec.TableName}' was imported without KMS encryption at rest although ImportTable asked for it (SSEDescription {table.SSEDescription?.Status?.Value ?? "none"}); DynamoDB still encrypts it with an AWS owned key.");
            return ToInfo(table, region, pitr, ttl, alreadyExisted: false);
        }

        private static IEnumerable<string> SchemaDifferences(TableDescription table)
        {
            string Key(List<KeySchemaElement> schema, KeyType type) => schema?.FirstOrDefault(k => k.KeyType == type)?.AttributeName;
            string TypeOf(string attribute) => table.AttributeDefinitions?.FirstOrDefault(a => a.AttributeName == attribute)?.AttributeType?.Value;

            if (Key(table.KeySchema, KeyType.HASH) != EntityKeys.PartitionKey) yield return $"partition key is '{Key(table.KeySchema, KeyType.HASH)}', expected 'PK'";
            if (Key(table.KeySchema, KeyType.RANGE) != EntityKeys.SortKey) yield return $"sort key is '{Key(table.KeySchema, KeyType.RANGE) ?? "(none)"}', expected 'SK'";
            GlobalSecondaryIndexDescription gsi = table.GlobalSecondaryIndexes?.FirstOrDefault(i => i.IndexName == IndexName);
            if (gsi == null)
            {
                yield return $"index '{IndexName}' is missing";
            }
            else
            {
                if (Key(gsi.KeySchema, KeyType.HASH) != EntityKeys.Gsi1PartitionKey || Key(gsi.KeySchema, KeyType.RANGE) != EntityKeys.Gsi1SortKey)
                    yield return $"index '{IndexName}' keys are '{Key(gsi.KeySchema, KeyType.HASH)}'/'{Key(gsi.KeySchema, KeyType.RANGE)}', expected 'GSI1PK'/'GSI1SK'";
                if (gsi.Projection?.ProjectionType != ProjectionType.ALL)
                    yield return $"index '{IndexName}' projects {gsi.Projection?.ProjectionType?.Value}, expected ALL";
            }
            foreach (string attribute in new[] { EntityKeys.PartitionKey, EntityKeys.SortKey, EntityKeys.Gsi1PartitionKey, EntityKeys.Gsi1SortKey })
            {
                string type = TypeOf(attribute);
                if (type != null && type != "S") yield return $"attribute '{attribute}' has type {type}, expected S";
            }
        }

        private static async Task<TableDescription> WaitUntilActive(IAmazonDynamoDB dynamo, string tableName, IOperationContext context, bool wait)
        {
            var clock = Stopwatch.StartNew();
            string activity = $"Waiting for table {tableName}";
            while (true)
            {
                TableDescription table = await Describe(dynamo, tableName, context).ConfigureAwait(false);
                bool indexesActive = table.GlobalSecondaryIndexes?.All(i => i.IndexStatus == IndexStatus.ACTIVE) ?? true;
                if ((table.TableStatus == TableStatus.ACTIVE && indexesActive) || !wait)
                {
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
                    return table;
                }
                if (clock.Elapsed > WaitTimeout) throw Timeout(tableName, "ACTIVE");
                context.WriteProgress(new ProgressUpdate
                {
                    Activity = activity,
                    Status = $"Table {table.TableStatus}, index {(indexesActive ? "ACTIVE" : "CREATING")} ({clock.Elapsed.TotalSeconds:0} s)",
                });
                await Task.Delay(TimeSpan.FromSeconds(2), context.Cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Turns point-in-time recovery on. DynamoDB often answers ContinuousBackupsUnavailableException ("backups have
        /// not yet been enabled for this table") for minutes after a new table became ACTIVE: that answer is waited out
        /// with a growing, jittered pause and progress, until PointInTimeRecoveryStatus is ENABLED (or, with -NoWait, left
        /// for the next run with a warning).
        /// </summary>
        private static async Task<bool> EnsurePointInTimeRecovery(IAmazonDynamoDB dynamo, string tableName, bool wait, IOperationContext context)
        {
            if (await GetPointInTimeRecovery(dynamo, tableName, context).ConfigureAwait(false)) return true;
            context.WriteVerbose($"Enabling point-in-time recovery on '{tableName}'.");
            var clock = Stopwatch.StartNew();
            string activity = $"Enabling point-in-time recovery on {tableName}";
            TimeSpan timeout = PitrTimeout();
            for (int attempt = 1; ; attempt++)
            {
                string waitingFor;
                try
                {
                    UpdateContinuousBackupsResponse response = await AwsCall.Run(() => dynamo.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
                    {
                        TableName = tableName,
                        PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true },
                    }, context.Cancellation), "UpdateContinuousBackups", tableName).ConfigureAwait(false);
                    ContinuousBackupsDescription backups = response.ContinuousBackupsDescription;
                    if (backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus == PointInTimeRecoveryStatus.ENABLED
                        || await GetPointInTimeRecovery(dynamo, tableName, context).ConfigureAwait(false))
                    {
                        context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
                        return true;
                    }
                    waitingFor = "point-in-time recovery accepted, waiting for ENABLED";
                }
                catch (EcommerceException ex) when (ex.ErrorId == "Aws.ContinuousBackupsUnavailableException")
                {
                    if (!wait)
                    {
                        context.WriteWarning($"DynamoDB cannot enable point-in-time recovery on '{tableName}' yet (ContinuousBackupsUnavailableException: backups are still being set up for a new table). Run New-EcommerceTable again in a few minutes; it enables PITR then.");
                        return false;
                    }
                    waitingFor = "backups not available yet (usual for a few minutes after a table is created)";
                }
                if (clock.Elapsed > timeout)
                    throw new EcommerceException("PointInTimeRecoveryTimeout", ErrorCategory.OperationTimeout, tableName,
                        $"Point-in-time recovery on '{tableName}' was still not ENABLED after {clock.Elapsed.TotalMinutes:0.#} minutes ({waitingFor}). The table itself is ready.",
                        "Run New-EcommerceTable again later (it only enables what is missing), or enable PITR in the DynamoDB console.");
                TimeSpan pause = PitrPause(attempt);
                context.WriteProgress(new ProgressUpdate
                {
                    Activity = activity,
                    Status = $"Attempt {attempt}: {waitingFor}; next try in {pause.TotalSeconds:0.#} s ({clock.Elapsed.TotalSeconds:0} s so far)",
                });
                context.WriteVerbose($"Point-in-time recovery on '{tableName}': {waitingFor}; trying again in {pause.TotalSeconds:0.#} s.");
                await Task.Delay(pause, context.Cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>5 s doubling to 60 s, with equal jitter (half fixed, half random), scaled by the test-only backoff base.</summary>
        private static TimeSpan PitrPause(int attempt)
        {
            double unit = SignedServiceClient.RetryBaseMs();
            double cap = Math.Min(60 * unit, 5 * unit * Math.Pow(2, attempt - 1));
            return TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2);
        }

        /// <summary>How long PITR is waited for: 15 minutes (scaled down with the test-only backoff base).</summary>
        private static TimeSpan PitrTimeout() => TimeSpan.FromMinutes(15 * SignedServiceClient.RetryBaseMs() / 1000);

        private static async Task<bool> GetPointInTimeRecovery(IAmazonDynamoDB dynamo, string tableName, IOperationContext context)
        {
            DescribeContinuousBackupsResponse backups = await AwsCall.Run(() => dynamo.DescribeContinuousBackupsAsync(
                new DescribeContinuousBackupsRequest { TableName = tableName }, context.Cancellation), "DescribeContinuousBackups", tableName).ConfigureAwait(false);
            return backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus == PointInTimeRecoveryStatus.ENABLED;
        }

        private static async Task<string> EnsureTimeToLive(IAmazonDynamoDB dynamo, string tableName, string attribute, IOperationContext context)
        {
            string current = await GetTimeToLive(dynamo, tableName, context).ConfigureAwait(false);
            if (attribute == null || current == attribute) return current;
            if (current != null)
            {
                context.WriteWarning($"Table '{tableName}' already expires items by '{current}'; DynamoDB allows one TTL attribute, so '{attribute}' was not set.");
                return current;
            }
            context.WriteVerbose($"Enabling time to live on '{tableName}' by attribute '{attribute}'.");
            await AwsCall.Run(() => dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = tableName,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = attribute, Enabled = true },
            }, context.Cancellation), "UpdateTimeToLive", tableName).ConfigureAwait(false);
            return attribute;
        }

        private static async Task<string> GetTimeToLive(IAmazonDynamoDB dynamo, string tableName, IOperationContext context)
        {
            DescribeTimeToLiveResponse ttl = await AwsCall.Run(() => dynamo.DescribeTimeToLiveAsync(tableName, context.Cancellation),
                "DescribeTimeToLive", tableName).ConfigureAwait(false);
            TimeToLiveDescription description = ttl.TimeToLiveDescription;
            return description?.TimeToLiveStatus == TimeToLiveStatus.ENABLED || description?.TimeToLiveStatus == TimeToLiveStatus.ENABLING
                ? description.AttributeName
                : null;
        }

        internal static Task<TableDescription> TryDescribe(IAmazonDynamoDB dynamo, string tableName, IOperationContext context) =>
            AwsCall.Run(async () =>
            {
                try { return (await dynamo.DescribeTableAsync(tableName, context.Cancellation).ConfigureAwait(false)).Table; }
                catch (ResourceNotFoundException) { return null; }
            }, "DescribeTable", tableName);

        private static async Task<TableDescription> Describe(IAmazonDynamoDB dynamo, string tableName, IOperationContext context) =>
            await TryDescribe(dynamo, tableName, context).ConfigureAwait(false) ?? throw EcommerceErrors.TableNotFound(tableName);

        private static EcommerceException Timeout(string tableName, string state) =>
            new EcommerceException("TableWaitTimeout", ErrorCategory.OperationTimeout, tableName,
                $"Table '{tableName}' was not {state} after {WaitTimeout.TotalMinutes:0} minutes.",
                "Check the table in the AWS console; run the command again to resume waiting.");

        private static DynamoBillingMode ToDynamo(BillingMode mode) =>
            mode == BillingMode.Provisioned ? DynamoBillingMode.PROVISIONED : DynamoBillingMode.PAY_PER_REQUEST;

        private static EcommerceTableInfo ToInfo(TableDescription table, string region, bool pitr, string ttl, bool alreadyExisted) => new EcommerceTableInfo
        {
            TableName = table.TableName,
            Arn = table.TableArn,
            Status = table.TableStatus?.Value,
            BillingMode = table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED",
            ReadCapacity = table.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
            WriteCapacity = table.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
            ItemCount = table.ItemCount ?? 0,
            SizeBytes = table.TableSizeBytes ?? 0,
            IndexNames = table.GlobalSecondaryIndexes?.Select(i => i.IndexName).ToArray() ?? Array.Empty<string>(),
            PointInTimeRecovery = pitr,
            DeletionProtection = table.DeletionProtectionEnabled ?? false,
            Encryption = table.SSEDescription?.Status == SSEStatus.ENABLED
                ? (table.SSEDescription.KMSMasterKeyArn ?? "KMS")
                : "AWS_OWNED",
            TimeToLiveAttribute = ttl,
            Region = region,
            CreatedAt = table.CreationDateTime?.ToUniversalTime(),
            AlreadyExisted = alreadyExisted,
        };
    }
}
