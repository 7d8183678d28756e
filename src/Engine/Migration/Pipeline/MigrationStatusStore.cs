using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>One status item's content (see <see cref="MigrationStatusStore"/>).</summary>
    internal sealed class MigrationStatusRecord
    {
        public EcommerceEntity Entity { get; set; }
        public string RunId { get; set; }
        public MigrationState State { get; set; }
        public string Source { get; set; }
        /// <summary>What the source is (kind, location, file fingerprint): a resume against another source is refused.</summary>
        public SourceIdentity SourceIdentity { get; set; }
        public long SourceCount { get; set; }
        public long Written { get; set; }
        public long Rejected { get; set; }
        public string Checkpoint { get; set; }
        public DateTime StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public double ItemsPerSecond { get; set; }
        public string RejectPath { get; set; }
        public string Message { get; set; }
        public DateTime? LastVerifiedAt { get; set; }
        public bool? LastVerificationPassed { get; set; }
        /// <summary>How the items got there; a status item without the attribute is a Write run.</summary>
        public MigrationMethod Method { get; set; }
        /// <summary>Import runs: the ImportTable job that loaded the items.</summary>
        public string ImportArn { get; set; }
        /// <summary>
        /// MongoDB sources of an import: the cluster time read before the first document, as canonical Extended JSON
        /// (<c>{"$timestamp":{"t":…,"i":…}}</c>): a change stream opened at this operation time (startAtOperationTime) replays
        /// every change the snapshot may have missed. The hook for Sync-EcommerceMigration (issue 11); null for files and
        /// standalone servers (no cluster time, no change streams).
        /// </summary>
        public string ChangeStreamStartAt { get; set; }
        /// <summary>The run holding the item (see <see cref="MigrationLease"/>); null when free.</summary>
        public string LeaseOwner { get; set; }
        public string LeaseHost { get; set; }
        public int? LeasePid { get; set; }
        public int? LeaseSeconds { get; set; }
        public DateTime? LeaseExpiresAt { get; set; }

        /// <summary>A sync's state (Sync-EcommerceMigration, docs/DESIGN.md §5); null when none ran. Kept by plain runs unless -Restart.</summary>
        public SyncStatus Sync { get; set; }

        /// <summary>Held by a run whose lease has not expired yet.</summary>
        public bool IsLeased(DateTime now) => LeaseOwner != null && LeaseExpiresAt != null && LeaseExpiresAt.Value >= now;

        public MigrationStatusInfo ToInfo(string tableName, MigrationVerification verification = null) => new MigrationStatusInfo
        {
            TableName = tableName, Entity = Entity, RunId = RunId, State = State, Source = Source, SourceCount = SourceCount,
            Written = Written, Rejected = Rejected, Checkpoint = Checkpoint, StartedAt = StartedAt, FinishedAt = FinishedAt,
            UpdatedAt = UpdatedAt, ItemsPerSecond = ItemsPerSecond, RejectPath = RejectPath, Message = Message,
            LastVerifiedAt = LastVerifiedAt, LastVerificationPassed = LastVerificationPassed, Verification = verification,
            LeaseHolder = LeaseOwner == null ? null : $"{LeaseHost} (PID {LeasePid})", LeaseExpiresAt = LeaseOwner == null ? null : LeaseExpiresAt,
            Phase = Sync?.Phase, SyncStartPoint = Sync?.StartTime, EventsApplied = Sync?.EventsApplied, EventsRejected = Sync?.EventsRejected,
            LastEventTime = Sync == null ? null : Migration.Sync.ClusterTimes.ToUtc(Sync.LastEventTime), LagSeconds = Sync?.LagSeconds, ResumePoint = Sync?.ResumeToken,
        };
    }

    /// <summary>
    /// What a sync keeps on the status item besides the full load's fields: its phase, the start point (the source's cluster time
    /// read before the full load, "seconds:increment"), the resume token after which every change is applied, the last applied
    /// change's cluster time, event counts and the lag at the last update.
    /// </summary>
    internal sealed class SyncStatus
    {
        public SyncPhase? Phase { get; set; }
        public string StartTime { get; set; }
        public string ResumeToken { get; set; }
        public string LastEventTime { get; set; }
        public long EventsApplied { get; set; }
        public long EventsRejected { get; set; }
        public double LagSeconds { get; set; }

        public SyncStatus Copy() => (SyncStatus)MemberwiseClone();
    }

    /// <summary>
    /// Status items in the target table: PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS, entityType = MIGRATION_STATUS and no
    /// GSI1 keys, so they never show up in entity queries or entityType counts.
    /// </summary>
    internal sealed class MigrationStatusStore
    {
        public const string SortKey = EntityKeys.StatusSortKey;
        public const string EntityType = "MIGRATION_STATUS";
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;

        public MigrationStatusStore(IAmazonDynamoDB dynamo, string tableName)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
        }

        public static Dictionary<string, AttributeValue> Key(EcommerceEntity entity) => new Dictionary<string, AttributeValue>
        {
            [EntityKeys.PartitionKey] = new AttributeValue(EntityKeys.StatusKey(entity)),
            [EntityKeys.SortKey] = new AttributeValue(SortKey),
        };

        public async Task<MigrationStatusRecord> GetAsync(EcommerceEntity entity, CancellationToken cancellation)
        {
            GetItemResponse response = await AwsCall.Run(() => dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName, Key = Key(entity), ConsistentRead = true,
            }, cancellation), "GetItem", tableName).ConfigureAwait(false);
            return response.Item == null || response.Item.Count == 0 ? null : FromItem(entity, response.Item);
        }

        /// <summary>
        /// Writes the whole record if <paramref name="lease"/> still holds the item, renewing it (<paramref name="release"/> false) or
        /// dropping it in the same write (true). False when another run has taken the item over: nothing was written.
        /// </summary>
        public async Task<bool> PutAsync(MigrationStatusRecord record, MigrationLease lease, bool release, CancellationToken cancellation)
        {
            Dictionary<string, AttributeValue> item = ToItem(record);
            if (!release) AddLease(item, lease, DateTime.UtcNow);
            var request = new PutItemRequest
            {
                TableName = tableName, Item = item,
                ConditionExpression = "LeaseOwner = :owner",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":owner"] = new AttributeValue(lease.Owner) },
            };
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            bool written = await Conditional(() => dynamo.PutItemAsync(request, cancellation), "PutItem").ConfigureAwait(false);
            if (written && !release) lease.Renewed(sent);
            return written;
        }

        /// <summary>
        /// Writes the status of an import run (no lease: the import's lease is in its staging manifest), unless the item
        /// belongs to another run. False when it does: nothing was written.
        /// </summary>
        public Task<bool> PutImportedAsync(MigrationStatusRecord record, CancellationToken cancellation) =>
            Conditional(() => dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ToItem(record),
                ConditionExpression = "attribute_not_exists(PK) OR RunId = :runId",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":runId"] = new AttributeValue(record.RunId) },
            }, cancellation), "PutItem");

        /// <summary>
        /// Takes the lease: the item is free, its lease expired, or it is already ours (same run id and token, e.g. a retried call).
        /// Creates a Running item with zero counts if there is none (so readers always see a whole status); keeps everything else. False when another run holds it.
        /// </summary>
        public async Task<(bool Acquired, MigrationStatusRecord Before)> TryAcquireAsync(EcommerceEntity entity, string runId, MigrationLease lease, CancellationToken cancellation)
        {
            DateTime now = DateTime.UtcNow;
            var values = LeaseValues(lease, now);
            values[":now"] = new AttributeValue(Iso(now));
            values[":runId"] = new AttributeValue(runId);
            values[":et"] = new AttributeValue(EntityType);
            values[":entity"] = new AttributeValue(entity.ToString());
            values[":running"] = new AttributeValue(MigrationState.Running.ToString());
            values[":empty"] = new AttributeValue("");
            values[":zero"] = Number(0);
            UpdateItemResponse response = null;
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            bool acquired = await Conditional(async () => response = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(entity),
                ReturnValues = ReturnValue.ALL_OLD, // the status as it was when we took it over, atomically
                ConditionExpression = "attribute_not_exists(#lo) OR #le < :now OR (#lo = :owner AND #run = :runId)",
                UpdateExpression = "SET #lo = :owner, #lh = :host, #lp = :pid, #ls = :seconds, #le = :expires, #et = if_not_exists(#et, :et), #en = if_not_exists(#en, :entity), "
                    + "#run = if_not_exists(#run, :runId), #st = if_not_exists(#st, :running), #src = if_not_exists(#src, :empty), #sa = if_not_exists(#sa, :now), #ua = if_not_exists(#ua, :now), "
                    + "#sc = if_not_exists(#sc, :zero), #wr = if_not_exists(#wr, :zero), #rj = if_not_exists(#rj, :zero), #ips = if_not_exists(#ips, :zero)",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#lo"] = "LeaseOwner", ["#lh"] = "LeaseHost", ["#lp"] = "LeasePid", ["#ls"] = "LeaseSeconds", ["#le"] = "LeaseExpiresAt",
                    ["#et"] = "entityType", ["#en"] = "Entity", ["#run"] = "RunId", ["#st"] = "State", ["#src"] = "Source", ["#sa"] = "StartedAt", ["#ua"] = "UpdatedAt",
                    ["#sc"] = "SourceCount", ["#wr"] = "Written", ["#rj"] = "Rejected", ["#ips"] = "ItemsPerSecond",
                },
                ExpressionAttributeValues = values,
            }, cancellation).ConfigureAwait(false), "UpdateItem").ConfigureAwait(false);
            if (acquired) lease.Renewed(sent);
            Dictionary<string, AttributeValue> before = response?.Attributes;
            return (acquired, before == null || before.Count == 0 ? null : FromItem(entity, before));
        }

        /// <summary>Pushes the lease's expiry on without touching the status (a run that has nothing new to record yet).</summary>
        public async Task<bool> RenewAsync(EcommerceEntity entity, MigrationLease lease, CancellationToken cancellation)
        {
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            bool renewed = await Conditional(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(entity),
                ConditionExpression = "LeaseOwner = :owner",
                UpdateExpression = "SET LeaseHost = :host, LeasePid = :pid, LeaseSeconds = :seconds, LeaseExpiresAt = :expires",
                ExpressionAttributeValues = LeaseValues(lease, DateTime.UtcNow),
            }, cancellation), "UpdateItem").ConfigureAwait(false);
            if (renewed) lease.Renewed(sent);
            return renewed;
        }

        /// <summary>Gives the lease up, leaving the status as it is (or, <paramref name="deleteItem"/>, deleting the item our lease created).</summary>
        public Task<bool> ReleaseAsync(EcommerceEntity entity, MigrationLease lease, bool deleteItem, CancellationToken cancellation)
        {
            var owner = new Dictionary<string, AttributeValue> { [":owner"] = new AttributeValue(lease.Owner) };
            return deleteItem
                ? Conditional(() => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = Key(entity), ConditionExpression = "LeaseOwner = :owner", ExpressionAttributeValues = owner }, cancellation), "DeleteItem")
                : Conditional(() => dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = tableName, Key = Key(entity), ConditionExpression = "LeaseOwner = :owner",
                    UpdateExpression = "REMOVE LeaseOwner, LeaseHost, LeasePid, LeaseSeconds, LeaseExpiresAt", ExpressionAttributeValues = owner,
                }, cancellation), "UpdateItem");
        }

        private Dictionary<string, AttributeValue> ToItem(MigrationStatusRecord record)
        {
            var item = Key(record.Entity);
            item["entityType"] = new AttributeValue(EntityType);
            item["Entity"] = new AttributeValue(record.Entity.ToString());
            item["RunId"] = new AttributeValue(record.RunId);
            item["State"] = new AttributeValue(record.State.ToString());
            item["Source"] = new AttributeValue(record.Source ?? "");
            if (record.SourceIdentity != null)
            {
                item["SourceKind"] = new AttributeValue(record.SourceIdentity.Kind);
                item["SourceLocation"] = new AttributeValue(record.SourceIdentity.Location);
                if (record.SourceIdentity.Fingerprint != null) item["SourceFingerprint"] = new AttributeValue(record.SourceIdentity.Fingerprint);
            }
            item["SourceCount"] = Number(record.SourceCount);
            item["Written"] = Number(record.Written);
            item["Rejected"] = Number(record.Rejected);
            if (record.Checkpoint != null) item["Checkpoint"] = new AttributeValue(record.Checkpoint);
            item["StartedAt"] = new AttributeValue(Iso(record.StartedAt));
            if (record.FinishedAt != null) item["FinishedAt"] = new AttributeValue(Iso(record.FinishedAt.Value));
            item["UpdatedAt"] = new AttributeValue(Iso(record.UpdatedAt));
            item["ItemsPerSecond"] = new AttributeValue { N = Math.Round(record.ItemsPerSecond, 1).ToString(CultureInfo.InvariantCulture) };
            if (!string.IsNullOrEmpty(record.RejectPath)) item["RejectPath"] = new AttributeValue(record.RejectPath);
            if (!string.IsNullOrEmpty(record.Message))
                item["Message"] = new AttributeValue(record.Message.Length > MaxMessageChars ? record.Message.Substring(0, MaxMessageChars - 3) + "..." : record.Message);
            if (record.LastVerifiedAt != null) item["LastVerifiedAt"] = new AttributeValue(Iso(record.LastVerifiedAt.Value));
            if (record.LastVerificationPassed != null) item["LastVerificationPassed"] = new AttributeValue { BOOL = record.LastVerificationPassed.Value };
            if (record.Sync is SyncStatus sync)
            {
                if (sync.Phase != null) item["SyncPhase"] = new AttributeValue(sync.Phase.ToString());
                if (sync.StartTime != null) item[SyncStartTimeAttribute] = new AttributeValue(sync.StartTime);
                if (sync.ResumeToken != null) item["SyncResumeToken"] = new AttributeValue(sync.ResumeToken);
                if (sync.LastEventTime != null) item["SyncLastEventTime"] = new AttributeValue(sync.LastEventTime);
                item["SyncEventsApplied"] = Number(sync.EventsApplied);
                item["SyncEventsRejected"] = Number(sync.EventsRejected);
                item["SyncLagSeconds"] = new AttributeValue { N = Math.Round(sync.LagSeconds, 3).ToString(CultureInfo.InvariantCulture) };
            }
            if (record.Method != MigrationMethod.Write) item["Method"] = new AttributeValue(record.Method.ToString());
            if (!string.IsNullOrEmpty(record.ImportArn)) item["ImportArn"] = new AttributeValue(record.ImportArn);
            if (!string.IsNullOrEmpty(record.ChangeStreamStartAt)) item["ChangeStreamStartAt"] = new AttributeValue(record.ChangeStreamStartAt);
            ItemCheck check = ItemRules.SingleTable.Check(item);
            if (!check.IsOk) // only an absurd checkpoint (an _id of hundreds of KB) could get here
                throw EcommerceErrors.MigrationStatusInvalid(tableName, $"The {record.Entity} status item cannot be stored: {check.Reason} {check.Field}: {check.Detail}", "Run again with -Restart; if it recurs, the document at the checkpoint has an _id DynamoDB cannot hold in an item.");
            return item;
        }

        /// <summary>Status messages (an error text) are cut to this length so a status write never breaks an item rule.</summary>
        private const int MaxMessageChars = 2000;

        private static void AddLease(Dictionary<string, AttributeValue> item, MigrationLease lease, DateTime now)
        {
            foreach (var (name, value) in LeaseValues(lease, now)) item[LeaseAttribute(name)] = value;
        }

        private static string LeaseAttribute(string placeholder) => placeholder switch
        {
            ":owner" => "LeaseOwner", ":host" => "LeaseHost", ":pid" => "LeasePid", ":seconds" => "LeaseSeconds", _ => "LeaseExpiresAt",
        };

        private static Dictionary<string, AttributeValue> LeaseValues(MigrationLease lease, DateTime now) => new Dictionary<string, AttributeValue>
        {
            [":owner"] = new AttributeValue(lease.Owner),
            [":host"] = new AttributeValue(lease.Host),
            [":pid"] = Number(lease.Pid),
            [":seconds"] = Number((long)lease.Duration.TotalSeconds),
            // ISO text with fixed width compares in time order, so conditions can use < on it.
            [":expires"] = new AttributeValue(Iso(now + lease.Duration)),
        };

        /// <summary>Runs a conditional write: true if it was applied, false if its condition did not hold.</summary>
        private async Task<bool> Conditional<T>(Func<Task<T>> call, string operation)
        {
            try
            {
                await AwsCall.Run(() => WithoutConditionFailure(call), operation, tableName).ConfigureAwait(false);
                return true;
            }
            catch (ConditionFailed)
            {
                return false;
            }
        }

        private static async Task<T> WithoutConditionFailure<T>(Func<Task<T>> call)
        {
            try { return await call().ConfigureAwait(false); }
            catch (ConditionalCheckFailedException) { throw new ConditionFailed(); }
        }

        private sealed class ConditionFailed : Exception { }

        public Task SetVerificationAsync(EcommerceEntity entity, DateTime verifiedAt, bool passed, CancellationToken cancellation) =>
            AwsCall.Run(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(entity),
                ConditionExpression = "attribute_exists(PK)",
                UpdateExpression = "SET LastVerifiedAt = :at, LastVerificationPassed = :ok",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":at"] = new AttributeValue(Iso(verifiedAt)),
                    [":ok"] = new AttributeValue { BOOL = passed },
                },
            }, cancellation), "UpdateItem", tableName);

        /// <summary>
        /// Deletes the item: true if it existed, false if not. Unless <paramref name="force"/>, only when no live lease holds it:
        /// null then (nothing deleted).
        /// </summary>
        public async Task<bool?> DeleteAsync(EcommerceEntity entity, bool force, CancellationToken cancellation)
        {
            var request = new DeleteItemRequest { TableName = tableName, Key = Key(entity), ReturnValues = ReturnValue.ALL_OLD };
            if (!force)
            {
                request.ConditionExpression = "attribute_not_exists(LeaseOwner) OR LeaseExpiresAt < :now";
                request.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = new AttributeValue(Iso(DateTime.UtcNow)) };
            }
            DeleteItemResponse response = null;
            if (!await Conditional(async () => response = await dynamo.DeleteItemAsync(request, cancellation).ConfigureAwait(false), "DeleteItem").ConfigureAwait(false))
                return null;
            return response.Attributes != null && response.Attributes.Count > 0;
        }

        private static MigrationStatusRecord FromItem(EcommerceEntity entity, Dictionary<string, AttributeValue> item)
        {
            string S(string name) => item.TryGetValue(name, out AttributeValue v) ? v.S : null;
            long L(string name) => item.TryGetValue(name, out AttributeValue v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
            DateTime? D(string name) => DateTime.TryParse(S(name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime d) ? d : null;
            return new MigrationStatusRecord
            {
                Entity = entity,
                RunId = S("RunId"),
                State = Enum.TryParse(S("State"), out MigrationState state) ? state : MigrationState.Failed,
                Source = S("Source"),
                SourceIdentity = S("SourceKind") is string kind ? new SourceIdentity(kind, S("SourceLocation"), S("SourceFingerprint")) : null,
                SourceCount = L("SourceCount"),
                Written = L("Written"),
                Rejected = L("Rejected"),
                Checkpoint = S("Checkpoint"),
                StartedAt = D("StartedAt") ?? DateTime.MinValue,
                FinishedAt = D("FinishedAt"),
                UpdatedAt = D("UpdatedAt") ?? DateTime.MinValue,
                ItemsPerSecond = item.TryGetValue("ItemsPerSecond", out AttributeValue ips) && double.TryParse(ips.N, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : 0,
                RejectPath = S("RejectPath"),
                Message = S("Message"),
                LastVerifiedAt = D("LastVerifiedAt"),
                LastVerificationPassed = item.TryGetValue("LastVerificationPassed", out AttributeValue ok) ? ok.BOOL : null,
                Method = Enum.TryParse(S("Method"), out MigrationMethod method) ? method : MigrationMethod.Write,
                ImportArn = S("ImportArn"),
                ChangeStreamStartAt = S("ChangeStreamStartAt"),
                LeaseOwner = S("LeaseOwner"),
                LeaseHost = S("LeaseHost"),
                LeasePid = item.ContainsKey("LeasePid") ? (int)L("LeasePid") : null,
                LeaseSeconds = item.ContainsKey("LeaseSeconds") ? (int)L("LeaseSeconds") : null,
                LeaseExpiresAt = D("LeaseExpiresAt"),
                Sync = S(SyncStartTimeAttribute) == null && S("SyncPhase") == null ? null : new SyncStatus
                {
                    Phase = Enum.TryParse(S("SyncPhase"), out SyncPhase phase) ? phase : null,
                    StartTime = S(SyncStartTimeAttribute),
                    ResumeToken = S("SyncResumeToken"),
                    LastEventTime = S("SyncLastEventTime"),
                    EventsApplied = L("SyncEventsApplied"),
                    EventsRejected = L("SyncEventsRejected"),
                    LagSeconds = item.TryGetValue("SyncLagSeconds", out AttributeValue lag) && double.TryParse(lag.N, NumberStyles.Float, CultureInfo.InvariantCulture, out double l) ? l : 0,
                },
            };
        }

        /// <summary>
        /// The change stream's start point on the status item: the source's cluster time as "seconds:increment", read before the
        /// full load (or an import) read anything. A Completed item with it and no SyncPhase is a finished full load a sync streams after.
        /// </summary>
        public const string SyncStartTimeAttribute = "SyncStartTime";

        private static AttributeValue Number(long value) => new AttributeValue { N = value.ToString(CultureInfo.InvariantCulture) };
        internal static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
