using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Sources;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// One entity's migration: source → mapper → batches of 25 → <see cref="BatchWriter"/>s, through a bounded
    /// channel so memory stays flat whatever the collection size; the watermark and counts go to the status item
    /// every few seconds and at the end (Completed, Failed or Interrupted).
    /// </summary>
    internal sealed class MigrationRun
    {
        internal const int BatchSize = 25;
        private const int EstimateSample = 100;
        private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(500);

        private readonly MigrationSpec spec;
        private readonly IOperationContext context;
        private readonly IAmazonDynamoDB dynamo;
        private readonly TableDescription table;
        private readonly MigrationStatusStore store;
        private readonly Stopwatch clock = new Stopwatch();
        private readonly List<string> notes = new List<string>();
        private readonly MigrationLease lease;
        private readonly IFullLoadGate gate; // null for a plain migration; a sync's full load otherwise
        private long leaseRenewedAt; // Stopwatch timestamp of the last renewal that DynamoDB accepted
        private string runId;
        private long batchesWritten;

        public MigrationRun(MigrationSpec spec, IOperationContext context, IAmazonDynamoDB dynamo, TableDescription table, IFullLoadGate gate = null)
        {
            this.gate = gate;
            lease = gate?.Lease ?? MigrationLease.FromEnvironment();
            this.spec = spec;
            this.context = context;
            this.dynamo = dynamo;
            this.table = table;
            store = new MigrationStatusStore(dynamo, spec.TableName);
        }

        /// <summary>How long a batch may go without any item accepted before the run fails (MigrationStalled).</summary>
        public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(2);

        public async Task<MigrationResult> RunAsync(IDocumentSource source)
        {
            EcommerceEntity entity = spec.Entity;
            MigrationStatusRecord previous = await store.GetAsync(entity, context.Cancellation).ConfigureAwait(false);
            string freshRunId = Guid.NewGuid().ToString("N").Substring(0, 12);
            bool createdItem = false;
            if (gate != null)
            {
                // A sync took the lease before recording its start point and keeps it after this full load.
                previous = gate.StatusBefore;
                leaseRenewedAt = Stopwatch.GetTimestamp();
            }
            else if (spec.DryRun)
            {
                if (previous != null && previous.IsLeased(DateTime.UtcNow))
                    context.WriteWarning(MigrationLease.AlreadyRunning(spec.TableName, entity, previous, "A real run would stop here; -WhatIf reads anyway.").Message);
            }
            else
            {
                // The lease comes before the source is read: a second run must not move the checkpoint of the first.
                (bool acquired, MigrationStatusRecord before) = await store.TryAcquireAsync(entity, previous != null && !spec.Restart ? previous.RunId : freshRunId, lease, context.Cancellation).ConfigureAwait(false);
                if (!acquired)
                    throw MigrationLease.AlreadyRunning(spec.TableName, entity, await store.GetAsync(entity, CancellationToken.None).ConfigureAwait(false), "Nothing was read or written.");
                leaseRenewedAt = Stopwatch.GetTimestamp();
                if (before?.LeaseOwner != null && before.LeaseOwner != lease.Owner)
                    context.WriteVerbose($"{entity}: took over the expired lease of run {before.RunId} (host {before.LeaseHost}, PID {before.LeasePid}, expired {before.LeaseExpiresAt:u}).");
                previous = before; // the status as it was when the lease was taken (another run may have finished just before)
                createdItem = before == null;
            }
            try
            {
                return await RunLeasedAsync(source, previous, freshRunId).ConfigureAwait(false);
            }
            catch (Exception) when (!spec.DryRun && !statusWritten && gate == null)
            {
                // Failed before the first status write: give the item back as it was (none, or the previous run's status).
                try { await store.ReleaseAsync(entity, lease, deleteItem: createdItem, CancellationToken.None).ConfigureAwait(false); }
                catch (EcommerceException ex) { context.WriteVerbose($"Could not release the {entity} migration lease ({ex.ErrorId}); it expires in {lease.Duration.TotalSeconds:0} s."); }
                throw;
            }
        }

        private bool statusWritten;

        /// <summary>
        /// The run once it holds the lease, in five steps a reader can follow one at a time: plan (resume or not, the count, the
        /// first status write), start the pipeline (one reader, the writers), supervise it (progress, lease renewal), stop on a
        /// failure or Ctrl+C (the state recorded, the resume hint), and complete (recount, the final status, the result).
        /// </summary>
        private async Task<MigrationResult> RunLeasedAsync(IDocumentSource source, MigrationStatusRecord previous, string freshRunId)
        {
            RunPlan plan = await PlanAsync(source, previous, freshRunId).ConfigureAwait(false);
            clock.Start();
            using RejectLog ownRejects = gate == null ? new RejectLog(plan.RejectPath, enabled: !spec.DryRun) : null;
            RejectLog rejects = ownRejects ?? gate.Rejects;
            SkipRejectsAlreadyLogged(source, plan, rejects);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            RunPipeline pipeline = StartPipeline(source, plan, rejects, stop);
            // A JSON or .bson.gz file has no cheap count: one framing pass beside the run gives the progress its "of N" and an
            // interrupted run its source count.
            Task<long?> scanning = plan.Count == null && !plan.PreviousCompleted ? Task.Run(() => source.CountByScanningAsync(stop.Token)) : null;
            _ = scanning?.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);

            EcommerceException leaseLost = await SuperviseAsync(source, plan, pipeline, scanning).ConfigureAwait(false);
            clock.Stop();
            stop.Cancel(); // the pipeline is over; a count still scanning is not needed any more
            context.WriteProgress(new ProgressUpdate { ActivityId = ProgressId, Activity = Activity, Completed = true });
            rejects.Flush();
            if (leaseLost != null)
            {
                // Another run owns the status item now: its checkpoint is not ours to move, so nothing is written.
                context.WriteWarning($"{spec.Entity}: migration {runId} Failed: it lost its lease on the status item ({plan.Tracker.Snapshot().Written} written by the watermark); the status item was left to the run that holds it.");
                throw leaseLost;
            }
            await StopIfFailedAsync(source, plan, pipeline).ConfigureAwait(false);
            return await CompleteAsync(source, plan, pipeline).ConfigureAwait(false);
        }

        /// <summary>What a leased run decided before reading: resume or not, its watermark, the source count and its status record.</summary>
        private sealed class RunPlan
        {
            public MigrationStatusRecord Previous { get; init; }
            public bool Resume { get; init; }
            /// <summary>The previous run completed: this one only looks for documents after its checkpoint.</summary>
            public bool PreviousCompleted { get; init; }
            public string RejectPath { get; init; }
            public WatermarkTracker Tracker { get; init; }
            public MigrationStatusRecord Record { get; init; }
            public long? Count { get; set; }
            /// <summary>The count found by scanning a file beside the run (null until it is done).</summary>
            public long? Scanned { get; set; }
        }

        /// <summary>The running pipeline: one reader task, the writer tasks and what they share.</summary>
        private sealed class RunPipeline
        {
            public Task Reader { get; init; }
            public Task[] Writers { get; init; }
            public BatchWriter Writer { get; init; }
            public AdaptiveConcurrency Concurrency { get; init; }
            public DocumentScreen Screen { get; init; }
            public CancellationTokenSource Stop { get; init; }
            public RejectLog Rejects { get; init; }
            public IEnumerable<Task> Tasks => Writers.Prepend(Reader);
        }

        /// <summary>Step 1: resume or restart, the notes that say so, the source count, and the first status write (Running).</summary>
        private async Task<RunPlan> PlanAsync(IDocumentSource source, MigrationStatusRecord previous, string freshRunId)
        {
            EcommerceEntity entity = spec.Entity;
            bool resume = previous != null && !spec.Restart;
            bool previousCompleted = resume && previous.State == MigrationState.Completed;
            runId = resume ? previous.RunId : gate?.FreshRunId ?? freshRunId;
            string rejectPath = RejectLog.PathFor(entity, runId, spec.RejectPath, spec.WorkingDirectory);

            if (resume)
                context.WriteVerbose(previousCompleted
                    ? $"{entity}: the migration {runId} completed at {previous.FinishedAt:u}; looking only for documents after its checkpoint."
                    : $"{entity}: resuming run {runId} ({previous.State}) after checkpoint {previous.Checkpoint ?? "(start)"}: {previous.Written} written, {previous.Rejected} rejected so far.");
            else if (previous != null)
                context.WriteVerbose($"{entity}: -Restart: ignoring the checkpoint of run {previous.RunId}.");
            if (resume && !previousCompleted)
                notes.Add($"Resumed run {runId} ({previous.State}) from checkpoint {previous.Checkpoint ?? "(start)"}, with {DisplayText.Count(previous.Written, "item")} already written.");
            if (resume && previous.State != MigrationState.Completed && spec.RejectPath == null && !string.IsNullOrEmpty(previous.RejectPath) && previous.RejectPath != rejectPath)
                notes.Add($"Earlier rejects of this run are in {previous.RejectPath}.");
            // A checkpoint is a position in one source: resuming it in another would skip documents this run never saw.
            if (resume) CheckSameSource(previous, source);

            long? count = await KeepingLeaseAsync(source.CountAsync(context.Cancellation)).ConfigureAwait(false);
            // The capacity warning for a PROVISIONED table needs the run's size before writing; a JSON or .bson.gz file only knows it after a pass.
            if (count == null && !previousCompleted && !spec.DryRun && CapacityEstimate.IsProvisioned(table))
                count = await KeepingLeaseAsync(CountByReadingAsync(source)).ConfigureAwait(false);
            var plan = new RunPlan
            {
                Previous = previous,
                Resume = resume,
                PreviousCompleted = previousCompleted,
                RejectPath = rejectPath,
                Tracker = resume ? new WatermarkTracker(previous.Checkpoint, previous.Written, previous.Rejected) : new WatermarkTracker(null, 0, 0),
                Count = count,
                Record = new MigrationStatusRecord
                {
                    Entity = entity,
                    RunId = runId,
                    State = MigrationState.Running,
                    Source = source.Description,
                    SourceIdentity = source.Identity,
                    SourceCount = count ?? 0,
                    StartedAt = resume && !previousCompleted ? previous.StartedAt : DateTime.UtcNow,
                    RejectPath = rejectPath,
                    Sync = spec.Restart ? null : previous?.Sync, // a plain run keeps a sync's resume point (a sync's gate sets its own)
                },
            };
            if (!spec.DryRun && !previousCompleted)
            {
                await KeepLeaseAsync(() => SaveAsync(plan.Record, plan.Tracker, MigrationState.Running, null, release: false), failFast: true).ConfigureAwait(false);
                statusWritten = true;
            }
            return plan;
        }

        /// <summary>A resumed run reads the documents past the checkpoint again; the rejects the interrupted run logged for them are not logged twice.</summary>
        private void SkipRejectsAlreadyLogged(IDocumentSource source, RunPlan plan, RejectLog rejects)
        {
            MigrationStatusRecord previous = plan.Previous;
            if (!plan.Resume || spec.DryRun || previous.Checkpoint == null) return;
            int known = rejects.SkipAlreadyLogged(new[] { plan.RejectPath, previous.RejectPath }.Distinct(),
                position => SourcePositions.After(source, position, previous.Checkpoint));
            if (known > 0) context.WriteVerbose($"{spec.Entity}: {known} reject record(s) past the checkpoint are already in the rejects file; they are not written again.");
        }

        /// <summary>Step 2: source → screen → batches of 25 through a bounded channel → the writers (none for -WhatIf). A failed task stops the others.</summary>
        private RunPipeline StartPipeline(IDocumentSource source, RunPlan plan, RejectLog rejects, CancellationTokenSource stop)
        {
            var concurrency = new AdaptiveConcurrency(spec.MaxConcurrency);
            var writer = new BatchWriter(dynamo, spec.TableName, concurrency, StallTimeout);
            var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Math.Max(2, spec.MaxConcurrency * 2)) { SingleWriter = true });
            var emails = spec.Entity != EcommerceEntity.User ? null : gate != null ? gate.Emails : new EmailRegistry(dynamo, spec.TableName, askTable: plan.Previous != null);
            var screen = new DocumentScreen(spec.Entity, source, emails);
            var pipeline = new RunPipeline
            {
                Reader = Task.Run(() => ReadAsync(source, plan.Resume ? plan.Previous.Checkpoint : null, plan.Tracker, rejects, screen, channel.Writer, plan.Count, stop.Token)),
                Writers = Enumerable.Range(0, spec.DryRun ? 0 : Math.Max(1, spec.MaxConcurrency))
                    .Select(_ => Task.Run(() => WriteAsync(channel.Reader, writer, concurrency, plan.Tracker, rejects, stop.Token))).ToArray(),
                Writer = writer,
                Concurrency = concurrency,
                Screen = screen,
                Stop = stop,
                Rejects = rejects,
            };
            foreach (Task task in pipeline.Tasks)
                _ = task.ContinueWith(t => { if (t.IsFaulted) stop.Cancel(); }, TaskScheduler.Default);
            return pipeline;
        }

        /// <summary>
        /// Step 3: until the pipeline ends, progress every half second and, every lease period, the status item (which renews the
        /// lease). Returns MigrationLeaseLost when another run took the status item over (the pipeline is stopped then).
        /// </summary>
        private async Task<EcommerceException> SuperviseAsync(IDocumentSource source, RunPlan plan, RunPipeline pipeline, Task<long?> scanning)
        {
            Task all = Task.WhenAll(pipeline.Tasks);
            _ = all.ContinueWith(_ => { }, TaskScheduler.Default); // faults are read task by task in StopIfFailedAsync
            var lastStatus = Stopwatch.StartNew();
            EcommerceException leaseLost = null;
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(ProgressEvery)).ConfigureAwait(false);
                if (plan.Scanned == null && scanning is { IsCompletedSuccessfully: true, Result: long scanned })
                {
                    plan.Scanned = scanned;
                    plan.Record.SourceCount = scanned;
                    context.WriteVerbose($"{spec.Entity}: {source.Description} holds {scanned:N0} documents (counted beside the run).");
                }
                ReportProgress(plan.Tracker, plan.Count ?? plan.Scanned, source, pipeline.Concurrency);
                if (spec.DryRun || leaseLost != null || lastStatus.Elapsed < lease.RenewEvery) continue;
                lastStatus.Restart();
                pipeline.Rejects.Flush();
                // Every status update renews the lease; a completed run with nothing new yet only renews it.
                bool saveStatus = plan.Tracker.ReadThisRun > 0 || !plan.PreviousCompleted;
                try
                {
                    await KeepLeaseAsync(saveStatus
                        ? () => SaveAsync(plan.Record, plan.Tracker, MigrationState.Running, null, release: false)
                        : () => store.RenewAsync(spec.Entity, lease, CancellationToken.None)).ConfigureAwait(false);
                    if (saveStatus) statusWritten = true;
                }
                catch (EcommerceException ex) when (ex.ErrorId == LeaseLostId)
                {
                    leaseLost = ex;
                    pipeline.Stop.Cancel();
                }
            }
            return leaseLost;
        }

        /// <summary>Step 4: a failed task or Ctrl+C → the state (Failed / Interrupted) and the checkpoint recorded, the resume hint, and the error.</summary>
        private async Task StopIfFailedAsync(IDocumentSource source, RunPlan plan, RunPipeline pipeline)
        {
            Exception failure = pipeline.Tasks.Where(t => t.IsFaulted).Select(t => t.Exception.GetBaseException())
                .FirstOrDefault(e => e is not OperationCanceledException);
            bool interrupted = failure == null && context.Cancellation.IsCancellationRequested;
            if (failure == null && !interrupted) return;
            MigrationState state = interrupted ? MigrationState.Interrupted : MigrationState.Failed;
            string message = interrupted ? "Stopped by the user (Ctrl+C)." : failure.Message;
            if (plan.Record.SourceCount == 0 && EstimatedTotal(plan.Tracker, source) is long estimate)
                plan.Record.SourceCount = estimate; // the count was still scanning: the file's size says about how many
            if (!spec.DryRun && !await SaveAsync(plan.Record, plan.Tracker, state, message, release: gate == null).ConfigureAwait(false))
                context.WriteWarning($"{spec.Entity}: the status item was taken over by another run; this run's {state} state was not recorded.");
            var snapshot = plan.Tracker.Snapshot();
            context.WriteWarning($"{spec.Entity}: migration {state} at checkpoint {snapshot.Checkpoint ?? "(start)"} ({snapshot.Written} written, {snapshot.Rejected} rejected); run the same command again to resume.");
            if (interrupted) throw new OperationCanceledException(context.Cancellation);
            throw failure as EcommerceException ?? new EcommerceException("MigrationFailed", ErrorCategory.NotSpecified, spec.TableName,
                $"The {spec.Entity} migration failed: {failure.Message}", "Fix the cause, then run the same command again to resume from the checkpoint.", failure);
        }

        /// <summary>Step 5: count the source again where it is live, record Completed (or only the new count), and build the result.</summary>
        private async Task<MigrationResult> CompleteAsync(IDocumentSource source, RunPlan plan, RunPipeline pipeline)
        {
            WatermarkTracker tracker = plan.Tracker;
            var final = tracker.Snapshot();
            long unseen = await RecountAsync(source, plan, final).ConfigureAwait(false);
            long sourceCount = Math.Max(plan.Count ?? 0, final.Written + final.Rejected);
            await RecordCompletedAsync(plan, unseen).ConfigureAwait(false);
            AddClosingNotes(plan, pipeline);
            context.WriteVerbose($"{spec.Entity}: {tracker.WrittenThisRun} written, {tracker.RejectedThisRun} rejected in {clock.Elapsed.TotalSeconds:0.0} s with {pipeline.Writer.Calls} BatchWriteItem calls ({pipeline.Writer.Retries} retries, {pipeline.Writer.SplitCalls} to isolate refused items).");
            return new MigrationResult
            {
                RunId = runId,
                Entity = spec.Entity,
                Source = source.Description,
                TableName = spec.TableName,
                SourceCount = sourceCount,
                Written = spec.DryRun ? tracker.WrittenThisRun : final.Written,
                Rejected = spec.DryRun ? tracker.RejectedThisRun : final.Rejected,
                WrittenThisRun = tracker.WrittenThisRun,
                RejectedThisRun = tracker.RejectedThisRun,
                Duration = clock.Elapsed,
                ItemsPerSecond = Rate(tracker.WrittenThisRun),
                State = MigrationState.Completed,
                Checkpoint = final.Checkpoint,
                RejectPath = spec.DryRun || final.Rejected == 0 ? null : plan.RejectPath,
                WhatIf = spec.DryRun,
                Notes = notes.ToArray(),
            };
        }

        /// <summary>
        /// A live collection is counted again: documents inserted with _ids below the read position were never read. Sets the
        /// record's count and returns how many documents were not seen (negative: deleted after they were migrated), with a note.
        /// </summary>
        private async Task<long> RecountAsync(IDocumentSource source, RunPlan plan, (string Checkpoint, long Written, long Rejected) final)
        {
            long? count = plan.Count;
            if (source.UniqueSortedIds)
            {
                long? now = await KeepingLeaseAsync(source.CountAsync(context.Cancellation)).ConfigureAwait(false);
                if (now.HasValue) count = now;
            }
            plan.Count = count;
            long seen = final.Written + final.Rejected;
            plan.Record.SourceCount = count ?? seen;
            long unseen = (count ?? 0) - seen;
            if (unseen > 0 && gate != null)
                context.WriteVerbose($"{spec.Entity}: {unseen:N0} document(s) changed under the full load's read position; the sync's change stream applies them.");
            else if (unseen > 0)
            {
                string what = $"The source holds {count:N0} documents but {seen:N0} are written or rejected: {unseen:N0} document(s) have _ids "
                    + $"below the checkpoint {final.Checkpoint} (inserted after the run passed them, e.g. with client-generated _ids) and were not read. "
                    + $"Run the same command with -Restart to read the whole collection again (writes are idempotent; existing items are overwritten with the same content).";
                notes.Add(what);
                context.WriteWarning($"{spec.Entity}: {what}");
            }
            else if (unseen < 0 && count.HasValue && source.UniqueSortedIds)
                notes.Add($"The source now holds {count:N0} documents, fewer than the {seen:N0} written or rejected: documents were deleted from it after they were migrated.");
            return unseen;
        }

        /// <summary>The final status: Completed with this run's figures, or, after a completed run with nothing new, only a changed count.</summary>
        private async Task RecordCompletedAsync(RunPlan plan, long unseen)
        {
            MigrationStatusRecord record = plan.Record, previous = plan.Previous;
            if (plan.Tracker.ReadThisRun == 0 && plan.PreviousCompleted)
            {
                if (unseen <= 0) notes.Add($"Already completed by run {runId} at {previous.FinishedAt:u}; nothing new to write.");
                context.WriteVerbose($"{spec.Entity}: already completed; no document after the checkpoint, nothing written.");
                if (spec.DryRun) return;
                if (record.SourceCount != previous.SourceCount && unseen > 0)
                {
                    // Record the new count (Test-EcommerceMigration and Get-MigrationStatus show the gap) without a new run.
                    record.FinishedAt = previous.FinishedAt;
                    record.StartedAt = previous.StartedAt;
                    record.LastVerifiedAt = previous.LastVerifiedAt;
                    record.LastVerificationPassed = previous.LastVerificationPassed;
                    if (!await SaveAsync(record, plan.Tracker, MigrationState.Completed, null, release: gate == null).ConfigureAwait(false))
                        throw LeaseLost("another run took the status item over before this run could record the new source count");
                }
                else if (gate == null) await store.ReleaseAsync(spec.Entity, lease, deleteItem: false, CancellationToken.None).ConfigureAwait(false);
            }
            else if (!spec.DryRun)
            {
                record.FinishedAt = DateTime.UtcNow;
                record.LastVerifiedAt = null;
                record.LastVerificationPassed = null;
                if (!await SaveAsync(record, plan.Tracker, MigrationState.Completed, null, release: gate == null).ConfigureAwait(false))
                    throw LeaseLost("another run took the status item over before this run could record Completed");
            }
        }

        private void AddClosingNotes(RunPlan plan, RunPipeline pipeline)
        {
            WatermarkTracker tracker = plan.Tracker;
            if (spec.DryRun) notes.Add($"WhatIf: {DisplayText.Count(tracker.WrittenThisRun, "item")} would be written and {DisplayText.Count(tracker.RejectedThisRun, "document")} rejected; nothing was written.");
            if (tracker.RejectedThisRun > 0 && !spec.DryRun) notes.Add($"{DisplayText.Count(tracker.RejectedThisRun, "document")} rejected; see {plan.RejectPath}.");
            if (pipeline.Writer.SplitCalls > 0)
                notes.Add($"DynamoDB refused {DisplayText.Count(serviceRejected, "item")} that passed the item rules; isolating them took {DisplayText.Count(pipeline.Writer.SplitCalls, "extra BatchWriteItem call")}. They are in the rejects file as ServiceRejected.");
            if (pipeline.Screen.Keys.Full)
                notes.Add($"More than {KeyRegistry.MaxSlots / 4 * 3:N0} keys in one run: keys after that were checked against the earlier ones but not recorded, so a repeat among them was not detected.");
        }

        /// <summary>Documents in the source, counted by reading it once (null if the read fails: the real pass reports why).</summary>
        private async Task<long?> CountByReadingAsync(IDocumentSource source)
        {
            context.WriteVerbose($"{spec.Entity}: table '{spec.TableName}' is PROVISIONED; counting the documents of {source.Description} for the capacity estimate.");
            long documents = 0;
            try
            {
                await foreach (SourceDocument _ in source.ReadAsync(null, context.Cancellation).ConfigureAwait(false)) documents++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return null;
            }
            return documents;
        }

        private string Activity => $"Migrating {spec.Entity} to {spec.TableName}";

        private int ProgressId => gate?.ProgressActivityId ?? 1;

        /// <summary>The rejects file of a run: -RejectPath as a file, or &lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in -RejectPath (a folder) or the working directory.</summary>
        internal static string RejectPathFor(MigrationSpec spec, string runId) => RejectLog.PathFor(spec.Entity, runId, spec.RejectPath, spec.WorkingDirectory);

        private double Rate(long items) => clock.Elapsed.TotalSeconds > 0 ? Math.Round(items / clock.Elapsed.TotalSeconds, 1) : 0;

        private const string LeaseLostId = "MigrationLeaseLost";

        /// <summary>Awaits <paramref name="work"/> while renewing the lease, for the slow steps before the first status write (counting).</summary>
        private async Task<T> KeepingLeaseAsync<T>(Task<T> work)
        {
            if (spec.DryRun) return await work.ConfigureAwait(false);
            while (await Task.WhenAny(work, Task.Delay(lease.RenewEvery)).ConfigureAwait(false) != work)
                await KeepLeaseAsync(() => store.RenewAsync(spec.Entity, lease, CancellationToken.None)).ConfigureAwait(false);
            return await work.ConfigureAwait(false);
        }

        /// <summary>
        /// Runs a write that renews the lease. Lost (another run holds it, or no renewal got through for a whole lease) → MigrationLeaseLost;
        /// any other error is retried at the next renewal unless <paramref name="failFast"/>.
        /// </summary>
        private async Task KeepLeaseAsync(Func<Task<bool>> renew, bool failFast = false)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                if (!await renew().ConfigureAwait(false)) throw LeaseLost("another run has taken over the status item");
                leaseRenewedAt = started;
            }
            catch (EcommerceException ex) when (ex.ErrorId != LeaseLostId && !failFast)
            {
                if (Stopwatch.GetElapsedTime(leaseRenewedAt) >= lease.Duration)
                    throw LeaseLost($"the lease could not be renewed for {lease.Duration.TotalSeconds:0} s ({ex.ErrorId}), so another run may have taken the status item over");
                context.WriteVerbose($"Could not update the status item ({ex.ErrorId}); will retry.");
            }
        }

        private EcommerceException LeaseLost(string why) =>
            new EcommerceException(LeaseLostId, ErrorCategory.OperationStopped, spec.TableName,
                $"The {spec.Entity} migration run {runId} stopped (Failed): {why}. This run did not move the checkpoint further.",
                $"See Get-MigrationStatus -TableName {spec.TableName} -Entity {spec.Entity}. Let the run that holds the status item finish; if it is not running, run the same command again: it resumes from the checkpoint.");

        private async Task<bool> SaveAsync(MigrationStatusRecord record, WatermarkTracker tracker, MigrationState state, string message, bool release)
        {
            var snapshot = tracker.Snapshot();
            record.State = state;
            record.Checkpoint = snapshot.Checkpoint;
            record.Written = snapshot.Written;
            record.Rejected = snapshot.Rejected;
            record.Message = message;
            record.ItemsPerSecond = Rate(tracker.WrittenThisRun);
            record.UpdatedAt = DateTime.UtcNow;
            gate?.OnSave(record);
            return await store.PutAsync(record, lease, release, CancellationToken.None).ConfigureAwait(false);
        }

        private async Task ReadAsync(IDocumentSource source, string resumeAfter, WatermarkTracker tracker, RejectLog rejects,
            DocumentScreen screen, ChannelWriter<Batch> output, long? count, CancellationToken cancellation)
        {
            try
            {
                var batch = new Batch();
                var held = new List<Batch>(); // the first batches wait for the capacity estimate ("before writing")
                long sampledUnits = 0, sampled = 0;
                bool estimated = false;

                async Task Send(Batch full)
                {
                    if (!estimated) held.Add(full);
                    else if (spec.DryRun) tracker.FinishWritten(full.Sequences);
                    else await output.WriteAsync(full, cancellation).ConfigureAwait(false);
                }

                async Task Estimate()
                {
                    estimated = true;
                    if (sampled > 0)
                    {
                        long remaining = count.HasValue ? Math.Max(0, count.Value - tracker.Snapshot().Written - tracker.Snapshot().Rejected) : -1;
                        CapacityEstimate estimate = remaining > 0 ? CapacityEstimate.For(table, remaining, (double)sampledUnits / sampled) : null;
                        if (estimate != null)
                        {
                            if (estimate.Duration <= CapacityEstimate.WarnAbove) context.WriteVerbose(estimate.Describe(spec.TableName));
                            else
                            {
                                context.WriteWarning(estimate.Describe(spec.TableName));
                                // Nothing is written yet (the first batches are held for this estimate): the user can still say no.
                                if (!spec.DryRun && !await context.ShouldContinueAsync(
                                        $"Write about {estimate.Items:N0} {spec.Entity} items to '{spec.TableName}' at {estimate.TableWcu} WCU (about {EcommerceAws.Output.DisplayText.Duration(estimate.Duration)})?",
                                        "Slow migration: PROVISIONED table").ConfigureAwait(false))
                                    throw EcommerceErrors.MigrationCapacityDeclined(spec.TableName, estimate.Describe(spec.TableName));
                            }
                        }
                    }
                    foreach (Batch waiting in held) await Send(waiting).ConfigureAwait(false);
                    held.Clear();
                }

                bool keysRebuilt = resumeAfter == null;
                await foreach (SourceDocument document in source.ReadAsync(resumeAfter, cancellation).ConfigureAwait(false))
                {
                    long sequence = tracker.Register(document.Position);
                    if (!keysRebuilt)
                    {
                        // Resumed: the keys up to the checkpoint, so a document after it cannot take a key one before it has.
                        keysRebuilt = true;
                        var watch = Stopwatch.StartNew();
                        long ids = await screen.RestoreAsync(source, resumeAfter, replayEmails: false, cancellation).ConfigureAwait(false);
                        context.WriteVerbose($"{spec.Entity}: read {ids:N0} _id(s) up to the checkpoint again for the duplicate-key check ({watch.Elapsed.TotalSeconds:0.0} s).");
                    }
                    (MappingResult mapped, RejectRecord reject) = await screen.CheckAsync(document, cancellation).ConfigureAwait(false);
                    if (reject == null && gate != null && mapped != null) reject = gate.Stamp(mapped);
                    if (reject != null)
                    {
                        rejects.Write(reject.At(document.Position));
                        tracker.Finish(sequence, written: false);
                        continue;
                    }
                    if (!estimated)
                    {
                        sampledUnits += Math.Max(1, (mapped.SizeBytes + 1023) / 1024);
                        if (++sampled >= EstimateSample) await Estimate().ConfigureAwait(false);
                    }
                    string key = mapped.Item[EntityKeys.PartitionKey].S + "\n" + mapped.Item[EntityKeys.SortKey].S;
                    if (batch.Keys.Contains(key)) // BatchWriteItem refuses two puts of one key in a call
                    {
                        await Send(batch).ConfigureAwait(false);
                        batch = new Batch();
                    }
                    batch.Add(sequence, key, mapped.Item, mapped.Id, document.Position);
                    if (batch.Count == BatchSize)
                    {
                        await Send(batch).ConfigureAwait(false);
                        batch = new Batch();
                    }
                }
                if (batch.Count > 0) await Send(batch).ConfigureAwait(false);
                if (!estimated) await Estimate().ConfigureAwait(false);
            }
            finally
            {
                output.TryComplete();
            }
        }

        private async Task WriteAsync(ChannelReader<Batch> input, BatchWriter writer, AdaptiveConcurrency concurrency, WatermarkTracker tracker,
            RejectLog rejects, CancellationToken cancellation)
        {
            await foreach (Batch batch in input.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                var watch = Stopwatch.StartNew();
                BatchWriter.Outcome outcome = gate == null
                    ? await writer.WriteAsync(batch.Requests, cancellation).ConfigureAwait(false)
                    : await gate.WriteAsync(batch.Requests, batch.Ids, writer, cancellation).ConfigureAwait(false);
                if (outcome.Refused.Count == 0) tracker.FinishWritten(batch.Sequences);
                else
                {
                    var refused = new HashSet<int>();
                    foreach ((int index, string message) in outcome.Refused)
                    {
                        refused.Add(index);
                        rejects.Write(new RejectRecord(spec.Entity, batch.Ids[index], RejectReason.ServiceRejected, null,
                            $"DynamoDB refused this item (its batch was split to find it): {message}").At(batch.Positions[index]));
                        tracker.Finish(batch.Sequences[index], written: false);
                    }
                    Interlocked.Add(ref serviceRejected, refused.Count);
                    tracker.FinishWritten(batch.Sequences.Where((_, i) => !refused.Contains(i)).ToList());
                }
                long number = Interlocked.Increment(ref batchesWritten);
                context.WriteVerbose($"Batch {number}: {batch.Count - outcome.Refused.Count} {spec.Entity} items in {watch.ElapsedMilliseconds} ms"
                    + (outcome.Refused.Count > 0 ? $" ({outcome.Refused.Count} refused by DynamoDB, isolated in {outcome.Calls} calls)"
                        : outcome.Calls > 1 ? $" ({outcome.Calls} calls, throttled; concurrency now {concurrency.Limit})" : "") + ".");
            }
        }

        private long serviceRejected;

        /// <summary>MigrationSourceChanged unless <paramref name="source"/> is the source the checkpoint was recorded in.</summary>
        private void CheckSameSource(MigrationStatusRecord previous, IDocumentSource source)
        {
            SourceIdentity recorded = previous.SourceIdentity;
            bool same = recorded != null ? recorded.AdmitsResumeFrom(source.Identity)
                : string.IsNullOrEmpty(previous.Source) || previous.Source == source.Description; // a status item from before identities
            if (same) return;
            string was = recorded?.ToString() ?? previous.Source;
            throw EcommerceErrors.MigrationSourceChanged(source.Description, $"The {spec.Entity} migration to '{spec.TableName}' has a checkpoint ({previous.Checkpoint ?? "(start)"}, {previous.State}) in another source: "
                + $"it was recorded for {was}; this run was given {source.Identity}. Resuming would skip documents of this source that were never read. Nothing was read or written.", $"To migrate this source, run the same command with -Restart: it reads from the first document, and writes are idempotent (items already in the table are overwritten with the same content). To resume the recorded migration, pass its source again.");
        }

        /// <summary>
        /// The documents of a file source, estimated from the share of its bytes read so far (documents up to the read position /
        /// that share); null before 0.1 % is read or for sources that are not files.
        /// </summary>
        private static long? EstimatedTotal(WatermarkTracker tracker, IDocumentSource source)
        {
            if (source.ProgressFraction is not double fraction || fraction < 0.001) return null;
            long read = tracker.DoneBefore + tracker.ReadThisRun;
            return fraction >= 1 ? read : (long)Math.Round(read / fraction);
        }

        /// <summary>
        /// Progress: done (this run and before it) of the count — exact, or "~" estimated from a file's bytes until the scan beside
        /// the run finishes; the time left is what remains at this run's own rate, so a resumed run does not count earlier work as its own speed.
        /// </summary>
        private void ReportProgress(WatermarkTracker tracker, long? count, IDocumentSource source, AdaptiveConcurrency concurrency)
        {
            long doneThisRun = tracker.WrittenThisRun + tracker.RejectedThisRun;
            double rate = clock.Elapsed.TotalSeconds > 0 ? doneThisRun / clock.Elapsed.TotalSeconds : 0;
            bool estimated = count is not > 0;
            long? total = estimated ? EstimatedTotal(tracker, source) : count;
            double? fraction = null;
            long remaining = -1;
            if (total is > 0)
            {
                long done = Math.Min(total.Value, tracker.DoneBefore + doneThisRun);
                fraction = (double)done / total.Value;
                remaining = total.Value - done;
            }
            int seconds = remaining >= 0 && rate > 0 ? (int)Math.Min(int.MaxValue, remaining / rate) : -1;
            context.WriteProgress(new ProgressUpdate
            {
                ActivityId = ProgressId,
                CurrentOperation = gate?.ProgressNote,
                Activity = Activity,
                Status = $"{tracker.WrittenThisRun:N0} written, {tracker.RejectedThisRun:N0} rejected"
                    + (total.HasValue ? $" of {(estimated ? "~" : "")}{total:N0}" : "")
                    + (tracker.DoneBefore > 0 ? $" ({tracker.DoneBefore:N0} before this run)" : "")
                    + $" — {rate:N0} items/s, concurrency {concurrency.Limit}",
                PercentComplete = fraction.HasValue ? (int)(fraction.Value * 100) : -1,
                SecondsRemaining = seconds,
            });
        }

        /// <summary>Up to 25 puts with the sequence numbers of their documents.</summary>
        private sealed class Batch
        {
            public List<WriteRequest> Requests { get; } = new List<WriteRequest>(BatchSize);
            public List<long> Sequences { get; } = new List<long>(BatchSize);
            public List<string> Ids { get; } = new List<string>(BatchSize);
            public List<string> Positions { get; } = new List<string>(BatchSize);
            public HashSet<string> Keys { get; } = new HashSet<string>();
            public int Count => Requests.Count;

            public void Add(long sequence, string key, Dictionary<string, AttributeValue> item, string id, string position)
            {
                Requests.Add(new WriteRequest(new PutRequest(item)));
                Sequences.Add(sequence);
                Keys.Add(key);
                Ids.Add(id);
                Positions.Add(position);
            }
        }
    }
}
