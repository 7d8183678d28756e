using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Sources;
using EcommerceAws.Output;
using MongoDB.Bson;
using MongoDB.Driver;

namespace EcommerceAws.Engine.Migration.Sync
{
    /// <summary>
    /// One entity's Sync-EcommerceMigration (docs/DESIGN.md §5): takes the status item's lease, records the change stream's start
    /// point (the source's cluster time, read before anything else), runs or resumes the full load with <see cref="MigrationRun"/>
    /// through a <see cref="SyncGate"/> while the change stream is applied beside it, removes the tombstones once the full load is
    /// over, and streams until -Drain has caught up, -Until passes or Ctrl+C. Events of one _id are applied in order by one worker
    /// (workers are picked by a hash of the _id); the resume point is a watermark over the events, like the full load's checkpoint.
    /// </summary>
    internal sealed class SyncRun
    {
        private static readonly TimeSpan MaxAwait = TimeSpan.FromMilliseconds(500);
        private readonly SyncSpec spec;
        private readonly EcommerceEntity entity;
        private readonly IOperationContext context;
        private readonly IAmazonDynamoDB dynamo;
        private readonly TableDescription table;
        private readonly MigrationStatusStore store;
        private readonly MigrationLease lease = MigrationLease.FromEnvironment();
        private readonly VersionedWriter writer;
        private readonly EntityMapper mapper = new EntityMapper();
        private readonly int progressId;
        private readonly Stopwatch clock = new Stopwatch();

        private WatermarkTracker tracker;
        private SyncGate gate;
        private EmailRegistry emails;
        private RejectLog rejects;
        private string startTime;
        private long eventsThisRun;
        private BsonTimestamp lastEventTime; // the newest applied change's cluster time
        private BsonTimestamp lastReadTime;  // the newest change read from the stream (maybe not applied yet)
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, BsonTimestamp> pending = new System.Collections.Concurrent.ConcurrentDictionary<long, BsonTimestamp>();
        private readonly object timeLock = new object();
        private volatile bool caughtUp;
        private BsonTimestamp replayHorizon; // the source's cluster time when this run took the lease: no other run wrote a later change
        private BatchWriter batchWriter;
        private long unconditionalWrites, batchCalls;
        private volatile bool fullLoadRunning;
        private SyncPhase phase = SyncPhase.Streaming;

        public SyncRun(SyncSpec spec, EcommerceEntity entity, IOperationContext context, IAmazonDynamoDB dynamo, TableDescription table, int progressId)
        {
            this.spec = spec;
            this.entity = entity;
            this.context = context;
            this.dynamo = dynamo;
            this.table = table;
            this.progressId = progressId;
            store = new MigrationStatusStore(dynamo, spec.TableName);
            writer = new VersionedWriter(dynamo, spec.TableName, TimeSpan.FromMinutes(2));
        }

        private string Activity => $"Syncing {entity} to {spec.TableName}";

        private MongoDocumentSource source;

        public async Task<MigrationSyncResult> RunAsync(MongoDocumentSource source, BsonTimestamp drainTarget, CancellationToken stop)
        {
            this.source = source;
            IMongoCollection<BsonDocument> collection = source.Collection();
            MigrationStatusRecord status = await store.GetAsync(entity, context.Cancellation).ConfigureAwait(false);
            await CheckFindAsync(source, collection).ConfigureAwait(false);
            (Plan plan, IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor) = await OpenAsync(source, collection, status).ConfigureAwait(false);
            if (spec.DryRun)
            {
                cursor.Dispose();
                return new MigrationSyncResult
                {
                    TableName = spec.TableName, Entity = entity, RunId = status?.RunId, Source = source.Description, State = status?.State ?? MigrationState.Running,
                    Phase = plan.FullLoad ? SyncPhase.FullLoad : status?.Sync?.Phase ?? SyncPhase.Streaming, StartPoint = plan.StartTime, ResumePoint = plan.ResumeToken,
                    WhatIf = true, EventsApplied = status?.Sync?.EventsApplied ?? 0, EventsRejected = status?.Sync?.EventsRejected ?? 0,
                    Notes = new[] { plan.FullLoad ? "WhatIf: a full load would run first, then the change stream from the start point; nothing was written." : $"WhatIf: the change stream would continue from {(plan.ResumeToken != null ? "the resume point" : "the start point " + plan.StartTime)}; nothing was written." },
                };
            }

            // The lease comes before anything is written: a second sync (or migration) of this entity stops with MigrationAlreadyRunning.
            string runId = plan.FullLoad && !plan.ResumeFullLoad ? Guid.NewGuid().ToString("N").Substring(0, 12) : status?.RunId ?? Guid.NewGuid().ToString("N").Substring(0, 12);
            (bool acquired, MigrationStatusRecord before) = await store.TryAcquireAsync(entity, runId, lease, context.Cancellation).ConfigureAwait(false);
            if (!acquired)
            {
                cursor.Dispose();
                throw MigrationLease.AlreadyRunning(spec.TableName, entity, await store.GetAsync(entity, CancellationToken.None).ConfigureAwait(false), "Nothing was written.");
            }
            if (!SamePoint(status, before))
            {
                // Another run moved the status between our read and the lease: plan again from what the lease returned.
                cursor.Dispose();
                status = before;
                (plan, cursor) = await OpenAsync(source, collection, status).ConfigureAwait(false);
            }
            startTime = plan.StartTime;
            // Every change a previous (dead) run may have applied is at or before the source's cluster time now: only this run can
            // have written changes after it, so those may be written without a condition, in batches (docs/DESIGN.md §5).
            replayHorizon = await SourceTimeAsync(source, collection.Database, context.Cancellation).ConfigureAwait(false);
            if (!(plan.FullLoad && !plan.ResumeFullLoad)) lastEventTime = ClusterTimes.Parse(status?.Sync?.LastEventTime); // kept when this run applies nothing
            tracker = new WatermarkTracker(plan.ResumeToken, plan.FullLoad && !plan.ResumeFullLoad ? 0 : status?.Sync?.EventsApplied ?? 0,
                plan.FullLoad && !plan.ResumeFullLoad ? 0 : status?.Sync?.EventsRejected ?? 0);
            var loadSpec = new MigrationSpec
            {
                Entity = entity, TableName = spec.TableName, Source = new MigrationSourceSpec { MongoUri = spec.Source.MongoUri, Database = spec.Source.Database, Collection = EntityKeys.DefaultCollection(entity) }, MaxConcurrency = spec.MaxConcurrency,
                RejectPath = spec.RejectFolder, WorkingDirectory = spec.WorkingDirectory, Restart = !plan.ResumeFullLoad,
            };
            string rejectPath = plan.ResumeFullLoad || !plan.FullLoad ? status?.RejectPath ?? MigrationRun.RejectPathFor(loadSpec, runId) : MigrationRun.RejectPathFor(loadSpec, runId);
            if (spec.RejectFolder != null && !plan.FullLoad) rejectPath = MigrationRun.RejectPathFor(loadSpec, runId);
            rejects = new RejectLog(rejectPath, enabled: true);
            emails = entity == EcommerceEntity.User ? new EmailRegistry(dynamo, spec.TableName, askTable: status != null) : null; // a fresh table: the first holder in _id order wins, as in a migration
            MigrationResult fullLoad = null;
            MigrationStatusRecord record = before;
            Exception failure = null;
            bool interrupted = false;
            clock.Start();
            using var stopStream = CancellationTokenSource.CreateLinkedTokenSource(stop, context.Cancellation);
            using var loadStop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            try
            {
                Task<MigrationResult> load = null;
                if (plan.FullLoad)
                {
                    phase = SyncPhase.FullLoad;
                    fullLoadRunning = true;
                    gate = new SyncGate(entity, ClusterTimes.VersionText(ClusterTimes.Parse(startTime)), conditional: plan.ResumeFullLoad, writer)
                    {
                        Lease = lease, StatusBefore = plan.ResumeFullLoad ? status : null, FreshRunId = runId, Rejects = rejects, Emails = emails,
                        ProgressActivityId = progressId, Status = () => SyncStatusNow(), Note = () => StreamNote(),
                    };
                    context.WriteVerbose($"{entity}: {(plan.ResumeFullLoad ? "resuming the full load" : "full load")} with the change stream from {startTime} beside it.");
                    var loadContext = new LoadContext(context, loadStop.Token);
                    load = Task.Run(() => new MigrationRun(loadSpec, loadContext, dynamo, table, gate).RunAsync(source));
                }
                else if (status?.Sync?.Phase == SyncPhase.FullLoad)
                {
                    // The full load completed but its tombstones were not all removed (the process stopped in between).
                    await SweepTombstonesAsync().ConfigureAwait(false);
                }
                try { (fullLoad, record, interrupted) = await StreamAsync(cursor, load, record, drainTarget, stopStream.Token).ConfigureAwait(false); }
                catch (Exception) when (load != null && !load.IsCompleted)
                {
                    // The stream failed while the full load runs: stop the load first (it records its checkpoint), then record the sync.
                    loadStop.Cancel();
                    try { await load.ConfigureAwait(false); } catch (Exception) { }
                    throw;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !context.Cancellation.IsCancellationRequested)
            {
                failure = ex;
            }
            catch (OperationCanceledException)
            {
                interrupted = true;
            }
            finally
            {
                cursor.Dispose();
                rejects.Flush();
                rejects.Dispose();
            }
            clock.Stop();
            context.WriteProgress(new ProgressUpdate { ActivityId = progressId, Activity = Activity, Completed = true });

            // The final status write releases the lease; the resume point is the watermark, whatever stopped the run.
            record ??= await store.GetAsync(entity, CancellationToken.None).ConfigureAwait(false) ?? before;
            if (record != null)
            {
                if (record.RunId == null) record.RunId = runId;
                record.Sync = SyncStatusNow();
                record.UpdatedAt = DateTime.UtcNow;
                if (failure != null) record.Message = "Sync stopped: " + failure.Message;
                else if (interrupted) record.Message = "Sync stopped by the user (Ctrl+C); run the same command again to continue from the resume point.";
                try
                {
                    if (!await store.PutAsync(record, lease, release: true, CancellationToken.None).ConfigureAwait(false))
                        context.WriteWarning($"{entity}: the status item was taken over by another run; this sync's resume point was not recorded.");
                }
                catch (EcommerceException ex) { context.WriteWarning($"{entity}: could not record the sync's status ({ex.ErrorId}); the lease expires in {lease.Duration.TotalSeconds:0} s."); }
            }
            if (failure != null)
            {
                context.WriteWarning($"{entity}: sync stopped at resume point {tracker.Checkpoint ?? startTime} ({failure.GetType().Name}: {failure.Message}); run the same command again to continue.");
                throw failure as EcommerceException ?? new EcommerceException("SyncFailed", ErrorCategory.NotSpecified, spec.TableName,
                    $"The {entity} sync failed: {failure.Message}", "Fix the cause, then run the same command again: it continues from the resume point.", failure);
            }
            var snapshot = tracker.Snapshot();
            return new MigrationSyncResult
            {
                TableName = spec.TableName, Entity = entity, RunId = record?.RunId ?? runId, Source = source.Description,
                State = interrupted ? MigrationState.Interrupted : record?.State ?? MigrationState.Completed, Phase = phase, FullLoad = fullLoad,
                EventsApplied = snapshot.Written, EventsRejected = snapshot.Rejected, EventsThisRun = Interlocked.Read(ref eventsThisRun),
                StartPoint = startTime, LastEventTime = lastEventTime == null ? null : ClusterTimes.ToUtc(lastEventTime), LagSeconds = Lag(),
                ResumePoint = snapshot.Checkpoint, DrainedTo = phase == SyncPhase.Drained ? ClusterTimes.Text(drainTarget) : null,
                Duration = clock.Elapsed, EventsPerSecond = clock.Elapsed.TotalSeconds > 0 ? Math.Round(Interlocked.Read(ref eventsThisRun) / clock.Elapsed.TotalSeconds, 1) : 0,
                RejectPath = rejectPath, Notes = Notes(fullLoad),
            };
        }

        private string[] Notes(MigrationResult fullLoad)
        {
            var notes = new List<string>();
            if (gate != null && gate.LeftToStream > 0) notes.Add($"{gate.LeftToStream:N0} document(s) changed during the full load were left to the change stream.");
            if (gate != null && gate.StaleSkipped > 0) notes.Add($"{gate.StaleSkipped:N0} full-load write(s) were skipped: the table held a newer version.");
            if (fullLoad == null) notes.Add(fromImport
                ? $"The table was loaded by Invoke-EcommerceMigration -Method Import; the change stream started at its recorded start point {startTime}."
                : "A completed full load with a start point was found; only changes were applied.");
            if (folded > 0) notes.Add($"{folded:N0} change(s) were folded into a later change of the same _id (only the newest state was written).");
            if (batchCalls > 0) notes.Add($"{unconditionalWrites:N0} change(s) written in {batchCalls:N0} BatchWriteItem call(s) (behind the source, after the replay horizon {ClusterTimes.Text(replayHorizon)}).");
            return notes.ToArray();
        }

        private static bool SamePoint(MigrationStatusRecord a, MigrationStatusRecord b) =>
            (a == null) == (b == null) && (a == null || (a.State == b.State && a.Sync?.StartTime == b.Sync?.StartTime && a.Sync?.ResumeToken == b.Sync?.ResumeToken && a.Sync?.Phase == b.Sync?.Phase));

        private sealed class Plan
        {
            public bool FullLoad;
            public bool ResumeFullLoad;
            public string StartTime;
            public string ResumeToken;
        }

        /// <summary>What this run does (full load or not, where the stream starts), and the stream opened there: every source error comes before any write.</summary>
        private async Task<(Plan, IChangeStreamCursor<ChangeStreamDocument<BsonDocument>>)> OpenAsync(MongoDocumentSource source, IMongoCollection<BsonDocument> collection, MigrationStatusRecord status)
        {
            var plan = new Plan();
            bool known = !spec.Restart && status?.Sync?.StartTime != null && ClusterTimes.Parse(status.Sync.StartTime) != null;
            BsonTimestamp imported = known || spec.Restart ? null : ImportStartPoint(status);
            if (imported != null && status.SourceIdentity != null && !status.SourceIdentity.AdmitsResumeFrom(source.Identity))
            {
                context.WriteVerbose($"{entity}: the import read {status.SourceIdentity}, not {source.Identity}: its start point does not apply; a full load runs.");
                imported = null;
            }
            if (imported != null)
            {
                // Invoke-EcommerceMigration -Method Import from MongoDB (issue 12) recorded the cluster time before its export: the
                // import is the complete full load, and the stream starts there, as after a sync's own full load.
                fromImport = true;
                plan.StartTime = ClusterTimes.Text(imported);
                plan.FullLoad = false;
            }
            else if (known)
            {
                plan.StartTime = status.Sync.StartTime;
                plan.ResumeToken = status.Sync.ResumeToken;
                plan.FullLoad = status.State != MigrationState.Completed;
                plan.ResumeFullLoad = plan.FullLoad;
            }
            else
            {
                plan.FullLoad = true;
                plan.StartTime = ClusterTimes.Text(await SourceTimeAsync(source, collection.Database, context.Cancellation).ConfigureAwait(false));
            }
            var options = new ChangeStreamOptions { FullDocument = ChangeStreamFullDocumentOption.UpdateLookup, MaxAwaitTime = MaxAwait, BatchSize = 500 };
            if (plan.ResumeToken != null) options.ResumeAfter = BsonDocument.Parse(plan.ResumeToken);
            else options.StartAtOperationTime = ClusterTimes.Parse(plan.StartTime);
            try
            {
                var cursor = await collection.WatchAsync(options, context.Cancellation).ConfigureAwait(false);
                return (plan, cursor);
            }
            catch (Exception ex) when (StreamError(ex, source, plan) is { } translated)
            {
                throw translated;
            }
        }

        private bool fromImport;

        /// <summary>
        /// The change-stream start point a completed -Method Import from MongoDB recorded (ChangeStreamStartAt, canonical Extended JSON of
        /// the cluster time read before the export); null for anything else (a write run, a failed import, a file source).
        /// </summary>
        internal static BsonTimestamp ImportStartPoint(MigrationStatusRecord status)
        {
            if (status == null || status.Method != MigrationMethod.Import || status.State != MigrationState.Completed || string.IsNullOrEmpty(status.ChangeStreamStartAt)) return null;
            try
            {
                BsonValue value = BsonDocument.Parse("{\"t\":" + status.ChangeStreamStartAt + "}")["t"];
                return value.IsBsonTimestamp ? value.AsBsonTimestamp : null;
            }
            catch (FormatException) { return null; }
        }

        /// <summary>The source's cluster time now: the operationTime of a ping (a replica-set member reports it on every reply).</summary>
        internal static async Task<BsonTimestamp> SourceTimeAsync(MongoDocumentSource source, IMongoDatabase database, CancellationToken cancellation)
        {
            BsonDocument reply;
            try { reply = await database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellation).ConfigureAwait(false); }
            catch (Exception ex) when (source.Translate(ex) is { } translated) { throw translated; }
            if (reply.TryGetValue("operationTime", out BsonValue time) && time.IsBsonTimestamp) return time.AsBsonTimestamp;
            throw NotReplicaSet(source);
        }

        private static EcommerceException NotReplicaSet(MongoDocumentSource source) =>
            new EcommerceException("SyncNeedsReplicaSet", ErrorCategory.InvalidOperation, source.Description,
                $"{source.Description} is a standalone MongoDB server: it has no oplog, so it cannot report changes (change streams need a replica set). Nothing was written.",
                "Run MongoDB as a replica set (a one-node set is enough: start mongod with --replSet rs0 and run rs.initiate() once), then run Sync-EcommerceMigration again; or migrate a snapshot with Invoke-EcommerceMigration during a write freeze.");

        private EcommerceException StreamError(Exception ex, MongoDocumentSource source, Plan plan)
        {
            for (Exception e = ex; e != null; e = e.InnerException)
            {
                if (e is not MongoCommandException command) continue;
                switch (command.Code)
                {
                    case 40573:
                        return NotReplicaSet(source);
                    case 286:
                    case 280:
                    case 260:
                        return new EcommerceException("SyncHistoryLost", ErrorCategory.InvalidOperation, source.Description,
                            $"{entity}: the source's oplog no longer holds the changes after the sync's resume point ({(plan?.ResumeToken != null ? "resume token" : "start point " + plan?.StartTime)}): code {command.Code} {command.CodeName}. Changes made since cannot be replayed; nothing was written.",
                            $"Run Sync-EcommerceMigration -TableName {spec.TableName} -Entity {entity} -Restart: a new start point and a new full load (safe: writes are versioned). A bigger oplog (replSetResizeOplog) keeps more history.");
                    case 13:
                        return PrivilegeMissing(source, "changeStream");
                }
            }
            return source.Translate(ex);
        }

        private EcommerceException PrivilegeMissing(MongoDocumentSource source, string action) =>
            new EcommerceException("SyncPrivilegeMissing", ErrorCategory.PermissionDenied, source.Description,
                $"{entity}: the MongoDB user may not {(action == "find" ? "read" : "open a change stream on")} {source.Identity.Location} ({action}: code 13 Unauthorized). Nothing was written.",
                "Grant the user the find and changeStream actions on the database (for example the built-in read role), then run again.");

        private EcommerceException StreamEnded(string what) =>
            new EcommerceException("SyncStreamEnded", ErrorCategory.InvalidOperation, spec.TableName,
                $"{entity}: {what}; the change stream cannot go on.", "Check the source collection, then run Sync-EcommerceMigration -Restart.");

        /// <summary>The full load and updateLookup read the collection: without find the sync stops before it writes anything.</summary>
        private async Task CheckFindAsync(MongoDocumentSource source, IMongoCollection<BsonDocument> collection)
        {
            try { await collection.Find(FilterDefinition<BsonDocument>.Empty).Limit(1).ToListAsync(context.Cancellation).ConfigureAwait(false); }
            catch (MongoCommandException ex) when (ex.Code == 13)
            {
                throw PrivilegeMissing(source, "find");
            }
            catch (Exception ex) when (source.Translate(ex) is { } translated) { throw translated; }
        }

        /// <summary>
        /// Reads the change stream and hands every event to the worker of its _id, until the stop condition; meanwhile the full load
        /// (when one runs) finishes, its tombstones are removed and the status item is kept up to date.
        /// </summary>
        private async Task<(MigrationResult, MigrationStatusRecord, bool)> StreamAsync(IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor,
            Task<MigrationResult> load, MigrationStatusRecord record, BsonTimestamp drainTarget, CancellationToken stop)
        {
            int workerCount = Math.Max(1, spec.MaxConcurrency);
            var queue = new ChangeQueue<ChangeStreamDocument<BsonDocument>>(QueueCapacity);
            batchWriter = new BatchWriter(dynamo, spec.TableName, new AdaptiveConcurrency(workerCount), TimeSpan.FromMinutes(2));
            using var workerStop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            Task[] workers = Enumerable.Range(0, workerCount).Select(_ => Task.Run(() => WorkAsync(queue, workerStop.Token))).ToArray();
            MigrationResult fullLoad = null;
            bool interrupted = false;
            bool first = true;
            long lastSave = Stopwatch.GetTimestamp();
            try
            {
                while (true)
                {
                    if (workers.FirstOrDefault(w => w.IsFaulted) is Task dead) await dead.ConfigureAwait(false);
                    if (load != null && load.IsCompleted)
                    {
                        fullLoad = await load.ConfigureAwait(false); // a failed full load throws here; Ctrl+C too
                        load = null;
                        await EndFullLoadAsync().ConfigureAwait(false);
                        record = await store.GetAsync(entity, CancellationToken.None).ConfigureAwait(false);
                        await SaveAsync(record).ConfigureAwait(false);
                        lastSave = Stopwatch.GetTimestamp();
                    }
                    if (context.Cancellation.IsCancellationRequested) { interrupted = true; break; }
                    if (load == null && spec.Until != null && DateTime.UtcNow >= spec.Until.Value.ToUniversalTime()) break;
                    if (load == null && drainTarget != null && (caughtUp || (lastReadTime != null && ClusterTimes.Compare(lastReadTime, drainTarget) >= 0)))
                    {
                        phase = SyncPhase.Drained;
                        caughtUp = true; // every change up to the drain point is applied: no lag left
                        break;
                    }
                    bool more;
                    try { more = await cursor.MoveNextAsync(stop).ConfigureAwait(false); }
                    catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested) { interrupted = true; break; }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
                    catch (Exception ex) when (StreamError(ex, source, null) is { } translated) { throw translated; }
                    if (!more) throw StreamEnded("the change stream ended (the collection was dropped or renamed)");
                    int count = 0;
                    foreach (ChangeStreamDocument<BsonDocument> change in cursor.Current)
                    {
                        count++;
                        if (change.OperationType is ChangeStreamOperationType.Invalidate or ChangeStreamOperationType.Drop or ChangeStreamOperationType.Rename or ChangeStreamOperationType.DropDatabase)
                            throw StreamEnded($"the source collection had a {change.OperationType} event");
                        long sequence = tracker.Register(change.ResumeToken.ToJson());
                        string id = EntityMapper.IdText(change.DocumentKey?.GetValue("_id", BsonNull.Value)) ?? "";
                        pending[sequence] = change.ClusterTime;
                        await queue.AddAsync(id, change, sequence, context.Cancellation).ConfigureAwait(false);
                        lastReadTime = change.ClusterTime;
                    }
                    BsonDocument token = cursor.GetResumeToken();
                    if (token != null) tracker.Mark(token.ToJson());
                    if (count == 0 && !first) caughtUp = true; // an empty getMore: every write made before it has been read
                    else if (count > 0) caughtUp = false;
                    first = false;
                    Progress();
                    if (load == null && Stopwatch.GetElapsedTime(lastSave) >= lease.RenewEvery)
                    {
                        await SaveAsync(record).ConfigureAwait(false);
                        lastSave = Stopwatch.GetTimestamp();
                    }
                }
            }
            finally
            {
                queue.Complete();
                if (interrupted) workerStop.Cancel();
                try { await Task.WhenAll(workers).ConfigureAwait(false); }
                catch (OperationCanceledException) when (interrupted) { }
                folded = queue.FoldedCount;
            }
            if (load != null)
            {
                // Stopped while the full load runs (Ctrl+C): it records its own Interrupted state and checkpoint.
                try { fullLoad = await load.ConfigureAwait(false); }
                catch (OperationCanceledException) { interrupted = true; }
            }
            return (fullLoad, record, interrupted);
        }

        private async Task EndFullLoadAsync()
        {
            await gate.EndFullLoadAsync(context.Cancellation).ConfigureAwait(false);
            fullLoadRunning = false;
            await SweepTombstonesAsync().ConfigureAwait(false);
            phase = SyncPhase.Streaming;
            context.WriteVerbose($"{entity}: full load over; deletes are real from now on, tombstones removed.");
        }

        /// <summary>Removes this entity's tombstones (Scan on entityType TOMBSTONE), each only if no newer change replaced it since.</summary>
        private async Task SweepTombstonesAsync()
        {
            Dictionary<string, AttributeValue> start = null;
            long removed = 0;
            do
            {
                ScanResponse page = await RetryingAsync(() => AwsCall.Run(() => dynamo.ScanAsync(new ScanRequest
                {
                    TableName = spec.TableName,
                    FilterExpression = "#et = :tomb AND begins_with(#pk, :prefix)",
                    ProjectionExpression = "#pk, #sk, #v",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#et"] = EntityKeys.EntityTypeAttribute, ["#pk"] = EntityKeys.PartitionKey, ["#sk"] = EntityKeys.SortKey, ["#v"] = EntityKeys.VersionAttribute },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":tomb"] = new AttributeValue(EntityKeys.TombstoneEntityType), [":prefix"] = new AttributeValue(EntityKeys.EntityType(entity) + "#") },
                    ExclusiveStartKey = start,
                }, context.Cancellation), "Scan", spec.TableName), context.Cancellation).ConfigureAwait(false);
                foreach (Dictionary<string, AttributeValue> tomb in page.Items)
                {
                    var key = new Dictionary<string, AttributeValue> { [EntityKeys.PartitionKey] = tomb[EntityKeys.PartitionKey], [EntityKeys.SortKey] = tomb[EntityKeys.SortKey] };
                    var values = new Dictionary<string, AttributeValue> { [":tomb"] = new AttributeValue(EntityKeys.TombstoneEntityType), [":v"] = tomb.GetValueOrDefault(EntityKeys.VersionAttribute) ?? new AttributeValue { N = "0" } };
                    VersionedWriter.Outcome outcome = await writer.DeleteIfAsync(key, $"{EntityKeys.EntityTypeAttribute} = :tomb AND #v = :v", values, context.Cancellation).ConfigureAwait(false);
                    if (outcome.Result == VersionedWriter.Result.Applied) removed++;
                }
                start = page.LastEvaluatedKey != null && page.LastEvaluatedKey.Count > 0 ? page.LastEvaluatedKey : null;
            } while (start != null);
            if (removed > 0) context.WriteVerbose($"{entity}: removed {removed:N0} tombstone(s).");
        }

        /// <summary>
        /// A read retried on throttling and 5xx (with BatchWriter's backoff, up to the stall timeout): a sync runs for hours, and one
        /// transient error of a look-up must not stop it. (moto answers 500 to a Query or Scan that races writes to the table.)
        /// </summary>
        private static async Task<T> RetryingAsync<T>(Func<Task<T>> read, CancellationToken cancellation)
        {
            var since = Stopwatch.StartNew();
            for (int attempt = 0; ; attempt++)
            {
                try { return await read().ConfigureAwait(false); }
                catch (EcommerceException ex) when (ex.InnerException is Amazon.Runtime.AmazonServiceException service
                    && (BatchWriter.IsRetryable(service) || (int)service.StatusCode >= 500) && since.Elapsed < TimeSpan.FromMinutes(2))
                {
                    await Task.Delay(BatchWriter.Backoff(attempt), cancellation).ConfigureAwait(false);
                }
            }
        }

        /// <summary>_ids held in the queue (waiting or being written) before the reader waits: bounds memory on a long backlog.</summary>
        private const int QueueCapacity = 10_000;
        /// <summary>BatchWriteItem's limit: 25 requests (25 × 400 KB stays under its 16 MB).</summary>
        private const int MaxBatch = 25;
        private long folded;

        /// <summary>
        /// A writer takes every ready _id, up to 25: one change waiting is one conditional write; several (the sync is behind by a
        /// request or more) are one batch, and more than 25 spread over the writers. Users stay one at a time (the e-mail rule
        /// looks at other holders). On DynamoDB a BatchWriteItem of n items costs the n writes of n PutItems, in one request.
        /// </summary>
        private static int BatchSize(EcommerceEntity entity, int ready) => entity == EcommerceEntity.User ? 1 : Math.Min(MaxBatch, ready);

        private async Task WorkAsync(ChangeQueue<ChangeStreamDocument<BsonDocument>> queue, CancellationToken cancellation)
        {
            try
            {
                while (await queue.TakeAsync(ready => BatchSize(entity, ready), cancellation).ConfigureAwait(false) is { } batch)
                {
                    try
                    {
                        if (batch.Count == 1) Finish(batch[0], await ApplyAsync(batch[0].Change, cancellation).ConfigureAwait(false));
                        else
                        {
                            bool[] applied = await ApplyBatchAsync(batch, cancellation).ConfigureAwait(false);
                            for (int i = 0; i < batch.Count; i++) Finish(batch[i], applied[i]);
                        }
                    }
                    finally
                    {
                        queue.Done(batch);
                    }
                }
            }
            catch (Exception ex)
            {
                queue.Fail(ex);
                throw;
            }
        }

        /// <summary>An entry's write is over: its event and the events folded into it pass to the watermark.</summary>
        private void Finish(ChangeQueue<ChangeStreamDocument<BsonDocument>>.Entry entry, bool applied)
        {
            if (entry.Folded.Count > 0) tracker.FinishWritten(entry.Folded); // their effect is the folded-in event's: in the table now
            tracker.Finish(entry.Sequence, applied);
            Interlocked.Add(ref eventsThisRun, 1 + entry.Folded.Count);
            foreach (long sequence in entry.Folded) pending.TryRemove(sequence, out _);
            if (pending.TryRemove(entry.Sequence, out BsonTimestamp time) && time != null)
                lock (timeLock) if (lastEventTime == null || ClusterTimes.Compare(time, lastEventTime) > 0) lastEventTime = time;
        }

        /// <summary>
        /// True when a change may be written without a condition: it is later than every change another run can have written (the
        /// replay horizon), and this run still holds the lease with a margin (a run that may have lost it writes only conditionally).
        /// </summary>
        private bool Unconditional(ChangeStreamDocument<BsonDocument> change) =>
            replayHorizon != null && change.ClusterTime != null && ClusterTimes.Compare(change.ClusterTime, replayHorizon) > 0 && lease.HeldWithMargin;

        /// <summary>
        /// Several changes of different _ids: those after the replay horizon go in one BatchWriteItem (puts, deletes, tombstones; no
        /// conditions needed, see <see cref="Unconditional"/>), the others one conditional write each. Same mapping and reject rules as
        /// <see cref="ApplyAsync"/>; false for a rejected document.
        /// </summary>
        private async Task<bool[]> ApplyBatchAsync(List<ChangeQueue<ChangeStreamDocument<BsonDocument>>.Entry> batch, CancellationToken cancellation)
        {
            var applied = new bool[batch.Count];
            var conditional = new List<int>();
            var requests = new List<WriteRequest>(batch.Count);
            var owners = new List<(int Index, string Id, string Version, bool Tombstones, string Position, bool Put)>(batch.Count);
            var tickets = new List<SyncGate.Ticket>(batch.Count);
            try
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    ChangeStreamDocument<BsonDocument> change = batch[i].Change;
                    string id = EntityMapper.IdText(change.DocumentKey?.GetValue("_id", BsonNull.Value));
                    if (id == null || !Unconditional(change))
                    {
                        conditional.Add(i); // ApplyAsync rejects a bad _id and writes older changes on condition
                        continue;
                    }
                    string version = ClusterTimes.VersionText(change.ClusterTime);
                    string position = change.ResumeToken.ToJson();
                    SyncGate.Ticket ticket = gate == null ? null : await gate.EnterAsync(id, cancellation).ConfigureAwait(false);
                    if (ticket != null) tickets.Add(ticket);
                    bool tombstones = ticket?.FullLoad == true;
                    applied[i] = true;
                    if (change.OperationType == ChangeStreamOperationType.Delete)
                    {
                        requests.Add(RemoveRequest(id, version, tombstones));
                        owners.Add((i, id, version, tombstones, position, false));
                        continue;
                    }
                    if (change.FullDocument == null) continue; // updateLookup found nothing: the document is gone, its delete event follows
                    MappingResult mapped = mapper.Map(entity, change.FullDocument);
                    RejectRecord reject = mapped.Reject ?? SyncGate.Stamp(entity, mapped, version);
                    if (reject != null)
                    {
                        // A rejected new state: the table must not keep the old one.
                        rejects.Write(reject.At(position));
                        applied[i] = false;
                        requests.Add(RemoveRequest(id, version, tombstones));
                        owners.Add((i, id, version, tombstones, position, false));
                        continue;
                    }
                    requests.Add(new WriteRequest { PutRequest = new PutRequest { Item = mapped.Item } });
                    owners.Add((i, id, version, tombstones, position, true));
                }
                if (requests.Count > 0)
                {
                    Interlocked.Increment(ref batchCalls);
                    Interlocked.Add(ref unconditionalWrites, requests.Count);
                    BatchWriter.Outcome outcome = await batchWriter.WriteAsync(requests, cancellation).ConfigureAwait(false);
                    foreach ((int index, string message) in outcome.Refused)
                    {
                        var owner = owners[index];
                        // A refused removal leaves an item the source no longer has: the run stops (SyncFailed) before the resume point passes it.
                        if (!owner.Put) throw new InvalidOperationException($"DynamoDB refused to remove the item of _id {owner.Id}: {message}");
                        rejects.Write(new RejectRecord(entity, owner.Id, RejectReason.ServiceRejected, null, message).At(owner.Position));
                        await RemoveAsync(owner.Id, owner.Version, owner.Tombstones, cancellation).ConfigureAwait(false);
                        applied[owner.Index] = false;
                    }
                }
            }
            finally
            {
                foreach (SyncGate.Ticket ticket in tickets) ticket.Dispose();
            }
            foreach (int i in conditional) applied[i] = await ApplyAsync(batch[i].Change, cancellation).ConfigureAwait(false);
            return applied;
        }

        /// <summary>The write that removes a document's item: a tombstone while the full load runs, else a delete.</summary>
        private WriteRequest RemoveRequest(string id, string version, bool tombstone) =>
            tombstone
                ? new WriteRequest { PutRequest = new PutRequest { Item = VersionedWriter.Tombstone(entity, id, version) } }
                : new WriteRequest { DeleteRequest = new DeleteRequest { Key = EntityKeys.PrimaryKey(entity, id) } };

        /// <summary>One change: the document's new state mapped and written, or the item removed; false when the document is rejected.</summary>
        private async Task<bool> ApplyAsync(ChangeStreamDocument<BsonDocument> change, CancellationToken cancellation)
        {
            BsonValue rawId = change.DocumentKey?.GetValue("_id", BsonNull.Value);
            string id = EntityMapper.IdText(rawId);
            string position = change.ResumeToken.ToJson();
            if (id == null)
            {
                rejects.Write(new RejectRecord(entity, rawId?.ToString(), RejectReason.InvalidId, "_id", $"_id has BSON type {rawId?.BsonType}; only ObjectId, string and integer ids can form keys.").At(position));
                return false;
            }
            string version = ClusterTimes.VersionText(change.ClusterTime);
            using SyncGate.Ticket ticket = gate == null ? null : await gate.EnterAsync(id, cancellation).ConfigureAwait(false);
            bool tombstones = ticket?.FullLoad == true;
            if (change.OperationType == ChangeStreamOperationType.Delete)
            {
                if (emails != null) using (await emails.LockAsync(cancellation).ConfigureAwait(false)) { await RemoveAsync(id, version, tombstones, cancellation).ConfigureAwait(false); emails.Forget(id); }
                else await RemoveAsync(id, version, tombstones, cancellation).ConfigureAwait(false);
                return true;
            }
            BsonDocument document = change.FullDocument;
            if (document == null) return true; // updateLookup found nothing: the document is gone, its delete event follows
            MappingResult mapped = mapper.Map(entity, document);
            RejectRecord reject = mapped.Reject ?? SyncGate.Stamp(entity, mapped, version);
            if (emails == null)
                return await PutOrRejectAsync(id, mapped, reject, version, tombstones, position, cancellation).ConfigureAwait(false);
            using (await emails.LockAsync(cancellation).ConfigureAwait(false))
            {
                string emailKey = mapped.Item?.GetValueOrDefault(EntityKeys.Gsi1PartitionKey)?.S;
                if (reject == null && emailKey != null && await RetryingAsync(() => emails.OtherHolderAsync(emailKey, id, cancellation), cancellation).ConfigureAwait(false) is string holder)
                    reject = EmailRegistry.Duplicate(id, holder);
                bool written = await PutOrRejectAsync(id, mapped, reject, version, tombstones, position, cancellation).ConfigureAwait(false);
                if (written) emails.Assign(emailKey, id);
                else emails.Forget(id);
                return written;
            }
        }

        private async Task<bool> PutOrRejectAsync(string id, MappingResult mapped, RejectRecord reject, string version, bool tombstones, string position, CancellationToken cancellation)
        {
            if (reject == null)
            {
                VersionedWriter.Outcome outcome = await writer.PutAsync(mapped.Item, version, returnOld: false, cancellation).ConfigureAwait(false);
                if (outcome.Result != VersionedWriter.Result.Refused) return true;
                reject = new RejectRecord(entity, id, RejectReason.ServiceRejected, null, outcome.Message);
            }
            // A rejected new state: the table must not keep the old one (the table is the mapped source; the reject says why it is absent).
            rejects.Write(reject.At(position));
            await RemoveAsync(id, version, tombstones, cancellation).ConfigureAwait(false);
            return false;
        }

        private Task<VersionedWriter.Outcome> RemoveAsync(string id, string version, bool tombstone, CancellationToken cancellation) =>
            tombstone
                ? writer.PutAsync(VersionedWriter.Tombstone(entity, id, version), version, returnOld: false, cancellation)
                : writer.DeleteAsync(EntityKeys.PrimaryKey(entity, id), version, returnOld: false, cancellation);

        private SyncStatus SyncStatusNow()
        {
            var snapshot = tracker.Snapshot();
            return new SyncStatus
            {
                Phase = phase, StartTime = startTime, ResumeToken = snapshot.Checkpoint, LastEventTime = ClusterTimes.Text(lastEventTime),
                EventsApplied = snapshot.Written, EventsRejected = snapshot.Rejected, LagSeconds = Lag(),
            };
        }

        /// <summary>Seconds behind the source: the oldest change read but not applied yet; else since the last applied change unless caught up.</summary>
        private double Lag()
        {
            BsonTimestamp oldest = null;
            foreach (BsonTimestamp time in pending.Values) if (oldest == null || ClusterTimes.Compare(time, oldest) < 0) oldest = time;
            BsonTimestamp behind = oldest ?? (caughtUp ? null : lastEventTime);
            return behind == null ? 0 : Math.Max(0, Math.Round((DateTime.UtcNow - ClusterTimes.ToUtc(behind)).TotalSeconds, 1));
        }

        private async Task SaveAsync(MigrationStatusRecord record)
        {
            if (record == null) return;
            record.Sync = SyncStatusNow();
            rejects.Flush(); // after the snapshot: the resume point never passes a reject that is not on disk (a kill -9 loses no record)
            record.UpdatedAt = DateTime.UtcNow;
            if (!await store.PutAsync(record, lease, release: false, CancellationToken.None).ConfigureAwait(false))
                throw EcommerceErrors.MigrationLeaseLost(spec.TableName,
                    $"{entity}: another run took the status item over; this sync stopped without moving its resume point.",
                    "Check Get-MigrationStatus: only one sync or migration per entity may run. Run again once the other has finished.", ErrorCategory.ResourceBusy);
        }

        private string StreamNote()
        {
            var snapshot = tracker.Snapshot();
            return $"change stream: {snapshot.Written:N0} events applied, {snapshot.Rejected:N0} rejected, lag {Lag():0.0} s";
        }

        private long lastProgress;

        private void Progress()
        {
            if (fullLoadRunning) return; // the full load reports, with the stream's line under it
            // At most 4 a second: a getMore per event or two while keeping up would otherwise cost a progress record each.
            if (lastProgress != 0 && Stopwatch.GetElapsedTime(lastProgress) < TimeSpan.FromMilliseconds(250)) return;
            lastProgress = Stopwatch.GetTimestamp();
            var snapshot = tracker.Snapshot();
            double rate = clock.Elapsed.TotalSeconds > 0 ? Interlocked.Read(ref eventsThisRun) / clock.Elapsed.TotalSeconds : 0;
            context.WriteProgress(new ProgressUpdate
            {
                ActivityId = progressId, Activity = Activity,
                Status = $"{phase}: {snapshot.Written:N0} events applied, {snapshot.Rejected:N0} rejected — {rate:N0} events/s, lag {Lag():0.0} s",
                CurrentOperation = lastEventTime == null ? "waiting for changes" : $"last change {ClusterTimes.ToUtc(lastEventTime):u}",
            });
        }
    }

    /// <summary>The sync's context for its full load, with a cancellation of its own (the sync stops its load when the stream fails).</summary>
    internal sealed class LoadContext : IOperationContext
    {
        private readonly IOperationContext inner;
        public LoadContext(IOperationContext inner, CancellationToken cancellation) { this.inner = inner; Cancellation = cancellation; }
        public AwsOptions Aws => inner.Aws;
        public CancellationToken Cancellation { get; }
        public void WriteVerbose(string message) => inner.WriteVerbose(message);
        public void WriteWarning(string message) => inner.WriteWarning(message);
        public void WriteProgress(ProgressUpdate update) => inner.WriteProgress(update);
        public void WriteObject(object item) => inner.WriteObject(item);
        public void WriteError(EcommerceException error) => inner.WriteError(error);
        public Task<bool> ShouldContinueAsync(string query, string caption) => inner.ShouldContinueAsync(query, caption);
    }
}
