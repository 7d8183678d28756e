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

        private async Task<MigrationResult> RunLeasedAsync(IDocumentSource source, MigrationStatusRecord previous, string freshRunId)
        {
            EcommerceEntity entity = spec.Entity;
            bool resume = previous != null && !spec.Restart;
            bool previousCompleted = resume && previous.State == MigrationState.Completed;
            runId = resume ? previous.RunId : gate?.FreshRunId ?? freshRunId;
            string rejectPath = RejectLog.PathFor(entity, runId, spec.RejectPath, spec.WorkingDirectory);
            var tracker = resume
                ? new WatermarkTracker(previous.Checkpoint, previous.Written, previous.Rejected)
                : new WatermarkTracker(null, 0, 0);

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
            var record = new MigrationStatusRecord
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
            };
            if (!spec.DryRun && !previousCompleted)
            {
                await KeepLeaseAsync(() => SaveAsync(record, tracker, MigrationState.Running, null, release: false), failFast: true).ConfigureAwait(false);
                statusWritten = true;
            }

            clock.Start();
            using RejectLog ownRejects = gate == null ? new RejectLog(rejectPath, enabled: !spec.DryRun) : null;
            RejectLog rejects = ownRejects ?? gate.Rejects;
            if (resume && !spec.DryRun && previous.Checkpoint != null)
            {
                // The interrupted run may have rejected documents past its checkpoint; this run reads them again.
                int known = rejects.SkipAlreadyLogged(new[] { rejectPath, previous.RejectPath }.Distinct(),
                    position => SourcePositions.After(source, position, previous.Checkpoint));
                if (known > 0) context.WriteVerbose($"{entity}: {known} reject record(s) past the checkpoint are already in the rejects file; they are not written again.");
            }
            using var run = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            var concurrency = new AdaptiveConcurrency(spec.MaxConcurrency);
            var writer = new BatchWriter(dynamo, spec.TableName, concurrency, StallTimeout);
            var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Math.Max(2, spec.MaxConcurrency * 2)) { SingleWriter = true });
            var emails = entity != EcommerceEntity.User ? null : gate != null ? gate.Emails : new EmailRegistry(dynamo, spec.TableName, askTable: previous != null);
            var screen = new DocumentScreen(entity, source, emails);

            Task reader = Task.Run(() => ReadAsync(source, resume ? previous.Checkpoint : null, tracker, rejects, screen, channel.Writer, count, run.Token));
            Task[] writers = Enumerable.Range(0, spec.DryRun ? 0 : Math.Max(1, spec.MaxConcurrency))
                .Select(_ => Task.Run(() => WriteAsync(channel.Reader, writer, concurrency, tracker, rejects, run.Token))).ToArray();
            Task all = Task.WhenAll(writers.Prepend(reader));
            _ = all.ContinueWith(_ => { }, TaskScheduler.Default); // observed below
            foreach (Task task in writers.Prepend(reader))
                _ = task.ContinueWith(t => { if (t.IsFaulted) run.Cancel(); }, TaskScheduler.Default);

            var lastStatus = Stopwatch.StartNew();
            EcommerceException leaseLost = null;
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(ProgressEvery)).ConfigureAwait(false);
                ReportProgress(tracker, count, source, concurrency);
                if (!spec.DryRun && leaseLost == null && lastStatus.Elapsed >= lease.RenewEvery)
                {
                    lastStatus.Restart();
                    rejects.Flush();
                    // Every status update renews the lease; a completed run with nothing new yet only renews it.
                    bool saveStatus = tracker.ReadThisRun > 0 || !previousCompleted;
                    try
                    {
                        await KeepLeaseAsync(saveStatus
                            ? () => SaveAsync(record, tracker, MigrationState.Running, null, release: false)
                            : () => store.RenewAsync(entity, lease, CancellationToken.None)).ConfigureAwait(false);
                        if (saveStatus) statusWritten = true;
                    }
                    catch (EcommerceException ex) when (ex.ErrorId == LeaseLostId)
                    {
                        leaseLost = ex;
                        run.Cancel();
                    }
                }
            }
            clock.Stop();
            context.WriteProgress(new ProgressUpdate { ActivityId = ProgressId, Activity = Activity, Completed = true });
            rejects.Flush();

            if (leaseLost != null)
            {
                // Another run owns the status item now: its checkpoint is not ours to move, so nothing is written.
                var lost = tracker.Snapshot();
                context.WriteWarning($"{entity}: migration {runId} Failed: it lost its lease on the status item ({lost.Written} written by the watermark); the status item was left to the run that holds it.");
                throw leaseLost;
            }

            Exception failure = writers.Prepend(reader).Where(t => t.IsFaulted).Select(t => t.Exception.GetBaseException())
                .FirstOrDefault(e => e is not OperationCanceledException);
            bool interrupted = failure == null && context.Cancellation.IsCancellationRequested;
            if (failure != null || interrupted)
            {
                MigrationState state = interrupted ? MigrationState.Interrupted : MigrationState.Failed;
                string message = interrupted ? "Stopped by the user (Ctrl+C)." : failure.Message;
                if (!spec.DryRun && !await SaveAsync(record, tracker, state, message, release: gate == null).ConfigureAwait(false))
                    context.WriteWarning($"{entity}: the status item was taken over by another run; this run's {state} state was not recorded.");
                var snapshot = tracker.Snapshot();
                context.WriteWarning($"{entity}: migration {state} at checkpoint {snapshot.Checkpoint ?? "(start)"} ({snapshot.Written} written, {snapshot.Rejected} rejected); run the same command again to resume.");
                if (interrupted) throw new OperationCanceledException(context.Cancellation);
                throw failure as EcommerceException ?? new EcommerceException("MigrationFailed", ErrorCategory.NotSpecified, spec.TableName,
                    $"The {entity} migration failed: {failure.Message}", "Fix the cause, then run the same command again to resume from the checkpoint.", failure);
            }

            var final = tracker.Snapshot();
            if (source.UniqueSortedIds)
            {
                // A live collection: documents inserted with _ids below the read position were never read. Count again.
                long? now = await KeepingLeaseAsync(source.CountAsync(context.Cancellation)).ConfigureAwait(false);
                if (now.HasValue) count = now;
            }
            long sourceCount = Math.Max(count ?? 0, final.Written + final.Rejected);
            record.SourceCount = count ?? final.Written + final.Rejected;
            long unseen = (count ?? 0) - (final.Written + final.Rejected);
            if (unseen > 0 && gate != null)
                context.WriteVerbose($"{entity}: {unseen:N0} document(s) changed under the full load's read position; the sync's change stream applies them.");
            else if (unseen > 0)
            {
                string what = $"The source holds {count:N0} documents but {final.Written + final.Rejected:N0} are written or rejected: {unseen:N0} document(s) have _ids "
                    + $"below the checkpoint {final.Checkpoint} (inserted after the run passed them, e.g. with client-generated _ids) and were not read. "
                    + $"Run the same command with -Restart to read the whole collection again (writes are idempotent; existing items are overwritten with the same content).";
                notes.Add(what);
                context.WriteWarning($"{entity}: {what}");
            }
            else if (unseen < 0 && count.HasValue && source.UniqueSortedIds)
                notes.Add($"The source now holds {count:N0} documents, fewer than the {final.Written + final.Rejected:N0} written or rejected: documents were deleted from it after they were migrated.");
            bool nothingNew = tracker.ReadThisRun == 0;
            if (nothingNew && previousCompleted)
            {
                if (unseen <= 0) notes.Add($"Already completed by run {runId} at {previous.FinishedAt:u}; nothing new to write.");
                context.WriteVerbose($"{entity}: already completed; no document after the checkpoint, nothing written.");
                if (!spec.DryRun)
                {
                    if (record.SourceCount != previous.SourceCount && unseen > 0)
                    {
                        // Record the new count (Test-EcommerceMigration and Get-MigrationStatus show the gap) without a new run.
                        record.FinishedAt = previous.FinishedAt;
                        record.StartedAt = previous.StartedAt;
                        record.LastVerifiedAt = previous.LastVerifiedAt;
                        record.LastVerificationPassed = previous.LastVerificationPassed;
                        if (!await SaveAsync(record, tracker, MigrationState.Completed, null, release: gate == null).ConfigureAwait(false))
                            throw LeaseLost("another run took the status item over before this run could record the new source count");
                    }
                    else if (gate == null) await store.ReleaseAsync(entity, lease, deleteItem: false, CancellationToken.None).ConfigureAwait(false);
                }
            }
            else if (!spec.DryRun)
            {
                record.FinishedAt = DateTime.UtcNow;
                record.LastVerifiedAt = null;
                record.LastVerificationPassed = null;
                if (!await SaveAsync(record, tracker, MigrationState.Completed, null, release: gate == null).ConfigureAwait(false))
                    throw LeaseLost("another run took the status item over before this run could record Completed");
            }
            if (spec.DryRun) notes.Add($"WhatIf: {DisplayText.Count(tracker.WrittenThisRun, "item")} would be written and {DisplayText.Count(tracker.RejectedThisRun, "document")} rejected; nothing was written.");
            if (tracker.RejectedThisRun > 0 && !spec.DryRun) notes.Add($"{DisplayText.Count(tracker.RejectedThisRun, "document")} rejected; see {rejectPath}.");
            if (writer.SplitCalls > 0)
                notes.Add($"DynamoDB refused {DisplayText.Count(serviceRejected, "item")} that passed the item rules; isolating them took {DisplayText.Count(writer.SplitCalls, "extra BatchWriteItem call")}. They are in the rejects file as ServiceRejected.");
            if (screen.Keys.Full)
                notes.Add($"More than {KeyRegistry.MaxSlots / 4 * 3:N0} keys in one run: keys after that were checked against the earlier ones but not recorded, so a repeat among them was not detected.");
            context.WriteVerbose($"{entity}: {tracker.WrittenThisRun} written, {tracker.RejectedThisRun} rejected in {clock.Elapsed.TotalSeconds:0.0} s with {writer.Calls} BatchWriteItem calls ({writer.Retries} retries, {writer.SplitCalls} to isolate refused items).");

            return new MigrationResult
            {
                RunId = runId,
                Entity = entity,
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
                RejectPath = spec.DryRun || final.Rejected == 0 ? null : rejectPath,
                WhatIf = spec.DryRun,
                Notes = notes.ToArray(),
            };
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
                            if (estimate.Duration > CapacityEstimate.WarnAbove) context.WriteWarning(estimate.Describe(spec.TableName));
                            else context.WriteVerbose(estimate.Describe(spec.TableName));
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

        private void ReportProgress(WatermarkTracker tracker, long? count, IDocumentSource source, AdaptiveConcurrency concurrency)
        {
            long doneThisRun = tracker.WrittenThisRun + tracker.RejectedThisRun;
            double rate = clock.Elapsed.TotalSeconds > 0 ? doneThisRun / clock.Elapsed.TotalSeconds : 0;
            double? fraction = null;
            long remaining = -1;
            if (count is > 0)
            {
                long done = Math.Min(count.Value, tracker.DoneBefore + doneThisRun);
                fraction = (double)done / count.Value;
                remaining = count.Value - done;
            }
            else if (source.ProgressFraction is double f) fraction = f;
            int seconds = remaining >= 0 && rate > 0 ? (int)(remaining / rate) : fraction is > 0 && rate > 0 ? (int)(clock.Elapsed.TotalSeconds * (1 - fraction.Value) / fraction.Value) : -1;
            context.WriteProgress(new ProgressUpdate
            {
                ActivityId = ProgressId,
                CurrentOperation = gate?.ProgressNote,
                Activity = Activity,
                Status = $"{tracker.WrittenThisRun:N0} written, {tracker.RejectedThisRun:N0} rejected" + (count.HasValue ? $" of {count:N0}" : "")
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
