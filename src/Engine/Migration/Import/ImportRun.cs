using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Sources;
using EcommerceAws.Engine.Tables;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Import
{
    /// <summary>
    /// Invoke-*Migration -Method Import (docs/DESIGN.md §5): every entity's documents go through the write path's screen
    /// (mapper, item rules, duplicate keys and e-mails, rejects file) into gzipped DYNAMODB_JSON objects in S3; one
    /// ImportTable call creates the table with GSI1 and loads them all; then the settings ImportTable cannot make (deletion
    /// protection, tags, PITR, TTL), the status items, and the staging objects are deleted. The manifest in the bucket keeps
    /// the run resumable before the table exists: finished objects are never uploaded twice and the import is started once.
    /// </summary>
    internal sealed class ImportRun
    {
        /// <summary>ImportTable takes at most this many S3 objects per import ("Import format quotas and validation").</summary>
        internal const int MaxObjects = 50_000;
        private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(500);

        private readonly ImportSpec spec;
        private readonly IOperationContext context;
        private readonly IAmazonDynamoDB dynamo;
        private readonly StagingArea staging;
        private readonly ImportManifestStore store;
        private readonly MigrationLease lease = MigrationLease.FromEnvironment();
        private readonly SemaphoreSlim manifestGate = new SemaphoreSlim(1, 1);
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Dictionary<EcommerceEntity, long> rejectedThisRun = new Dictionary<EcommerceEntity, long>();
        private readonly List<string> notes = new List<string>();
        private ImportManifest manifest;
        private long leaseRenewedAt;
        private EcommerceException leaseLost;

        public ImportRun(ImportSpec spec, IOperationContext context, IAmazonDynamoDB dynamo, IAmazonS3 s3)
        {
            this.spec = spec;
            this.context = context;
            this.dynamo = dynamo;
            staging = new StagingArea(s3, spec.StagingBucket, context);
            store = new ImportManifestStore(s3, spec.StagingBucket, spec.TableName);
        }

        private TableSpec Table => new TableSpec { TableName = spec.TableName, Tags = ManagedTags.With(null) };

        public async Task<IReadOnlyList<MigrationResult>> RunAsync(IReadOnlyList<(EcommerceEntity Entity, IDocumentSource Source)> sources)
        {
            // Everything that can refuse the run comes before the first document is read.
            TableDescription table = await TableService.TryDescribe(dynamo, spec.TableName, context).ConfigureAwait(false);
            await staging.CheckAsync().ConfigureAwait(false);
            manifest = await store.ReadAsync(context.Cancellation).ConfigureAwait(false);
            if (table != null) return await ExistingTableAsync(table, sources).ConfigureAwait(false);
            if (spec.DryRun) return await DryRunAsync(sources).ConfigureAwait(false);

            await AcquireAsync(sources).ConfigureAwait(false);
            using var renewal = new CancellationTokenSource();
            using var run = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            Task renewing = Task.Run(() => RenewLeaseAsync(run, renewal.Token));
            try
            {
                if (manifest.State == ImportRunState.Staging)
                {
                    await staging.PrepareAsync().ConfigureAwait(false);
                    foreach ((EcommerceEntity entity, IDocumentSource source) in sources)
                    {
                        ManifestEntity state = manifest.Entities.Single(e => e.Entity == entity);
                        if (!state.Staged) await StageEntityAsync(state, source, run.Token).ConfigureAwait(false);
                    }
                    await SaveAsync(m => m.State = ImportRunState.Staged).ConfigureAwait(false);
                }
                await EnsureImportStartedAsync().ConfigureAwait(false);
                ImportTableDescription import = await WaitAsync(run.Token).ConfigureAwait(false);
                TableDescription imported = await TableService.TryDescribe(dynamo, spec.TableName, context).ConfigureAwait(false);
                if (import.ImportStatus != ImportStatus.COMPLETED || (import.ErrorCount ?? 0) > 0)
                    throw await RecordFailureAsync(import, imported).ConfigureAwait(false);
                return await FinishAsync(import, stopRenewal: renewal, renewing).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is EcommerceException || ex is ManifestConflict)
            {
                renewal.Cancel();
                await renewing.ConfigureAwait(false);
                if (leaseLost != null) throw leaseLost;
                if (ex is ManifestConflict) throw LeaseLost("another process wrote the import manifest");
                await ReleaseAsync().ConfigureAwait(false);
                if (ex is OperationCanceledException)
                {
                    context.WriteWarning(manifest.ImportArn != null && manifest.State == ImportRunState.Importing
                        ? $"Stopped waiting. The import {manifest.ImportArn} goes on in AWS; run the same command again to wait for it and finish the table."
                        : $"Stopped: {Staged()} staged so far in s3://{spec.StagingBucket}/{StagingLayout.RunPrefix(spec.TableName, manifest.RunId)}; run the same command again to go on from there.");
                }
                throw;
            }
        }

        // ------------------------------------------------------------------ the table already exists

        private async Task<IReadOnlyList<MigrationResult>> ExistingTableAsync(TableDescription table, IReadOnlyList<(EcommerceEntity Entity, IDocumentSource Source)> sources)
        {
            // Created by this run's import: recorded as such, or (a crash right after the ImportTable call) asked for with its
            // client token, which DynamoDB answers with the same import for 8 hours.
            bool ours = manifest != null && (manifest.TableArn == table.TableArn && manifest.ImportArn != null
                || manifest.State == ImportRunState.Importing && manifest.ImportArn == null && manifest.ClientToken != null);
            if (ours && manifest.State == ImportRunState.Failed)
                throw FailureError(manifest.ImportArn, manifest.ImportStatus, manifest.FailureMessage, tableExists: true);
            if (ours && manifest.State == ImportRunState.Importing && !spec.DryRun)
            {
                // This run's import created the table: wait for it (again) and finish, whatever the process before us did.
                await AcquireAsync(sources).ConfigureAwait(false);
                using var renewal = new CancellationTokenSource();
                using var run = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
                Task renewing = Task.Run(() => RenewLeaseAsync(run, renewal.Token));
                try
                {
                    await EnsureImportStartedAsync().ConfigureAwait(false);
                    ImportTableDescription import = await WaitAsync(run.Token).ConfigureAwait(false);
                    if (import.ImportStatus != ImportStatus.COMPLETED || (import.ErrorCount ?? 0) > 0)
                        throw await RecordFailureAsync(import, table).ConfigureAwait(false);
                    return await FinishAsync(import, renewal, renewing).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is EcommerceException || ex is ManifestConflict)
                {
                    renewal.Cancel();
                    await renewing.ConfigureAwait(false);
                    if (leaseLost != null) throw leaseLost;
                    if (ex is ManifestConflict) throw LeaseLost("another process wrote the import manifest");
                    await ReleaseAsync().ConfigureAwait(false);
                    throw;
                }
            }

            // Imported earlier (the staging is gone, the status items remain): nothing to do, as for a completed write run.
            var statusStore = new MigrationStatusStore(dynamo, spec.TableName);
            var done = new List<MigrationStatusRecord>();
            foreach ((EcommerceEntity entity, IDocumentSource _) in sources)
            {
                MigrationStatusRecord status = await statusStore.GetAsync(entity, context.Cancellation).ConfigureAwait(false);
                if (status?.Method == MigrationMethod.Import && status.State == MigrationState.Completed) done.Add(status);
            }
            if (done.Count == sources.Count)
                return done.Select(status => new MigrationResult
                {
                    RunId = status.RunId, Entity = status.Entity, Source = status.Source, TableName = spec.TableName, SourceCount = status.SourceCount,
                    Written = status.Written, Rejected = status.Rejected, Duration = clock.Elapsed, State = MigrationState.Completed,
                    Checkpoint = status.Checkpoint, RejectPath = status.Rejected > 0 ? status.RejectPath : null, Method = MigrationMethod.Import,
                    ImportArn = status.ImportArn, WhatIf = spec.DryRun,
                    Notes = new[]
                    {
                        $"Already imported by run {status.RunId} at {status.FinishedAt:u} ({status.ImportArn}); nothing was staged or imported.",
                        "To load documents added to the source since, run without -Method Import (-Method Write resumes after the checkpoint).",
                    },
                }).ToList();
            throw EcommerceErrors.MigrationImportTableExists(spec.TableName, $"Table '{spec.TableName}' already exists. ImportTable only creates a new table, so nothing was read or uploaded.", $"Migrate into the existing table with -Method Write (the default; BatchWriteItem, resumable), or pick a -TableName that does not exist yet, or delete the table first (Remove-EcommerceTable {spec.TableName}) if its content can go.");
        }

        // ------------------------------------------------------------------ lease and manifest

        private async Task AcquireAsync(IReadOnlyList<(EcommerceEntity Entity, IDocumentSource Source)> sources)
        {
            DateTime now = DateTime.UtcNow;
            if (manifest != null && manifest.IsLeasedByOther(lease.Owner, now))
                throw AlreadyRunning(manifest);
            // -Restart forgets a run that has not started its import, or whose import failed and left no table.
            bool restart = spec.Restart && manifest?.State != ImportRunState.Importing;
            bool resume = manifest != null && manifest.State != ImportRunState.Finished && !restart;
            if (resume)
            {
                CheckSameRun(sources);
                context.WriteVerbose($"Resuming import run {manifest.RunId} ({manifest.State}): {Staged()} staged so far.");
            }
            else
            {
                if (manifest != null && manifest.State != ImportRunState.Finished)
                {
                    context.WriteVerbose($"-Restart: deleting the objects of import run {manifest.RunId}.");
                    await staging.DeleteAsync(StagingLayout.RunPrefix(spec.TableName, manifest.RunId)).ConfigureAwait(false);
                }
                string runId = Guid.NewGuid().ToString("N").Substring(0, 12);
                var fresh = new ImportManifest
                {
                    TableName = spec.TableName, RunId = runId, State = ImportRunState.Staging, StartedAt = now, ObjectBytes = spec.StagingObjectBytes,
                    Entities = sources.Select(s => new ManifestEntity
                    {
                        Entity = s.Entity, Source = s.Source.Description, SourceKind = s.Source.Identity.Kind, SourceLocation = s.Source.Identity.Location,
                        SourceFingerprint = s.Source.Identity.Fingerprint, RejectPath = RejectLog.PathFor(s.Entity, runId, spec.RejectPath, spec.WorkingDirectory),
                    }).ToList(),
                };
                manifest = fresh;
            }
            SetLease(manifest, now);
            try
            {
                await store.SaveAsync(manifest, context.Cancellation).ConfigureAwait(false);
            }
            catch (ManifestConflict)
            {
                ImportManifest other = await store.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                throw AlreadyRunning(other);
            }
            leaseRenewedAt = Stopwatch.GetTimestamp();
        }

        /// <summary>A resumed run must be given the same entities from the same sources, or its checkpoints mean nothing.</summary>
        private void CheckSameRun(IReadOnlyList<(EcommerceEntity Entity, IDocumentSource Source)> sources)
        {
            string recorded = string.Join(", ", manifest.Entities.Select(e => e.Entity));
            string given = string.Join(", ", sources.Select(s => s.Entity));
            if (recorded != given)
                throw new EcommerceException("MigrationImportMismatch", ErrorCategory.InvalidOperation, spec.TableName,
                    $"Import run {manifest.RunId} into '{spec.TableName}' stages {recorded}; this command asks for {given}. ImportTable creates the table once, with every entity, so one run cannot change its entities. Nothing was read or uploaded.",
                    $"Run the command with -Entity {recorded.Replace(" ", "")} to finish that run, or add -Restart to stage {given} from the first document (the run's objects are deleted).");
            foreach ((EcommerceEntity entity, IDocumentSource source) in sources)
            {
                ManifestEntity state = manifest.Entities.Single(e => e.Entity == entity);
                if (state.Identity == null || state.Identity.AdmitsResumeFrom(source.Identity)) continue;
                throw EcommerceErrors.MigrationSourceChanged(source.Description, $"Import run {manifest.RunId} staged {entity} from {state.Identity} (checkpoint {state.Checkpoint ?? "(start)"}); this run was given {source.Identity}. Resuming would mix two sources. Nothing was read or uploaded.", "Pass the recorded source again to finish that run, or add -Restart to stage this source from the first document (the run's objects are deleted).");
            }
        }

        private void SetLease(ImportManifest target, DateTime now)
        {
            target.LeaseOwner = lease.Owner;
            target.LeaseHost = lease.Host;
            target.LeasePid = lease.Pid;
            target.LeaseSeconds = (int)lease.Duration.TotalSeconds;
            target.LeaseExpiresAt = now + lease.Duration;
        }

        /// <summary>Changes the manifest and writes it (renewing the lease), one writer at a time.</summary>
        private async Task SaveAsync(Action<ImportManifest> change)
        {
            await manifestGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (leaseLost != null) throw leaseLost;
                change(manifest);
                long started = Stopwatch.GetTimestamp();
                SetLease(manifest, DateTime.UtcNow);
                await store.SaveAsync(manifest, CancellationToken.None).ConfigureAwait(false);
                leaseRenewedAt = started;
            }
            finally
            {
                manifestGate.Release();
            }
        }

        private async Task RenewLeaseAsync(CancellationTokenSource run, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(lease.RenewEvery, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                try
                {
                    await SaveAsync(_ => { }).ConfigureAwait(false);
                }
                catch (ManifestConflict)
                {
                    leaseLost = LeaseLost("another process wrote the import manifest");
                    run.Cancel();
                    return;
                }
                catch (EcommerceException ex) when (ex != leaseLost)
                {
                    if (Stopwatch.GetElapsedTime(leaseRenewedAt) < lease.Duration) { context.WriteVerbose($"Could not renew the import lease ({ex.ErrorId}); will retry."); continue; }
                    leaseLost = LeaseLost($"the lease could not be renewed for {lease.Duration.TotalSeconds:0} s ({ex.ErrorId})");
                    run.Cancel();
                    return;
                }
            }
        }

        /// <summary>Gives the lease up (best effort: it expires anyway).</summary>
        private async Task ReleaseAsync()
        {
            await manifestGate.WaitAsync().ConfigureAwait(false);
            try
            {
                manifest.LeaseOwner = null;
                manifest.LeaseHost = null;
                manifest.LeasePid = null;
                manifest.LeaseSeconds = null;
                manifest.LeaseExpiresAt = null;
                await store.SaveAsync(manifest, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ManifestConflict || ex is EcommerceException)
            {
                context.WriteVerbose($"Could not release the import lease; it expires in {lease.Duration.TotalSeconds:0} s.");
            }
            finally
            {
                manifestGate.Release();
            }
        }

        private EcommerceException AlreadyRunning(ImportManifest holder)
        {
            DateTime expires = holder?.LeaseExpiresAt ?? DateTime.UtcNow;
            int seconds = Math.Max(0, (int)Math.Ceiling((expires - DateTime.UtcNow).TotalSeconds));
            string who = holder == null ? "another process" : $"run {holder.RunId} on host {holder.LeaseHost} (PID {holder.LeasePid})";
            return EcommerceErrors.MigrationAlreadyRunning(spec.TableName, $"An import into table '{spec.TableName}' is already running: {who} holds its manifest {store.Location} until {MigrationStatusStore.Iso(expires)} (in {seconds} s). Nothing was read or uploaded.", $"Wait for that run to finish. If that process is dead, run the same command again after {MigrationStatusStore.Iso(expires)}: it resumes from the objects already staged.");
        }

        private EcommerceException LeaseLost(string why) =>
            EcommerceErrors.MigrationLeaseLost(spec.TableName,
                $"Import run {manifest?.RunId} into '{spec.TableName}' stopped: {why}. It recorded nothing further in {store.Location}.",
                "Let the process that holds the manifest finish; if none is running, run the same command again: it resumes from the objects already staged.", ErrorCategory.OperationStopped);

        // ------------------------------------------------------------------ staging

        private async Task StageEntityAsync(ManifestEntity state, IDocumentSource source, CancellationToken cancellation)
        {
            EcommerceEntity entity = state.Entity;
            if (state.Checkpoint == null && state.ChangeStreamStartAt == null && source is MongoDocumentSource mongo)
            {
                // Before the first document: a change stream started here misses nothing the snapshot does not have.
                string clusterTime = await mongo.ReadClusterTimeAsync(cancellation).ConfigureAwait(false);
                if (clusterTime != null) await SaveAsync(_ => state.ChangeStreamStartAt = clusterTime).ConfigureAwait(false);
                else context.WriteVerbose($"{entity}: {source.Description} reports no cluster time (a standalone server has no change streams); no change-stream start point recorded.");
            }
            var screen = new DocumentScreen(entity, source, entity == EcommerceEntity.User ? new EmailRegistry(null, spec.TableName, askTable: false) : null);
            string checkpoint = state.Checkpoint;
            using var rejects = new RejectLog(state.RejectPath, enabled: true);
            if (checkpoint != null)
            {
                var watch = Stopwatch.StartNew();
                long again = await screen.RestoreAsync(source, checkpoint, replayEmails: true, cancellation).ConfigureAwait(false);
                context.WriteVerbose($"{entity}: resuming after checkpoint {checkpoint} ({state.Parts.Count} object(s) staged); read {again:N0} document(s) up to it again for the duplicate checks ({watch.Elapsed.TotalSeconds:0.0} s).");
                int known = rejects.SkipAlreadyLogged(new[] { state.RejectPath }, position => SourcePositions.After(source, position, checkpoint));
                if (known > 0) context.WriteVerbose($"{entity}: {known} reject record(s) past the checkpoint are already in the rejects file; they are not written again.");
            }
            long? count = await source.CountAsync(cancellation).ConfigureAwait(false);
            long written = state.Written, rejected = state.Rejected, before = written + rejected;
            int number = state.Parts.Count;
            string position = checkpoint;
            StagingPart part = null;
            Task pending = Task.CompletedTask;
            var lastProgress = Stopwatch.StartNew();
            try
            {
                await foreach (SourceDocument document in source.ReadAsync(checkpoint, cancellation).ConfigureAwait(false))
                {
                    (MappingResult mapped, RejectRecord reject) = await screen.CheckAsync(document, cancellation).ConfigureAwait(false);
                    if (reject != null)
                    {
                        rejects.Write(reject.At(document.Position));
                        rejected++;
                        rejectedThisRun[entity] = rejectedThisRun.GetValueOrDefault(entity) + 1;
                    }
                    else
                    {
                        if (part == null)
                        {
                            number++;
                            if (manifest.Entities.Sum(e => e.Parts.Count) + 1 > MaxObjects) throw TooManyObjects();
                            part = new StagingPart(Path.Combine(Path.GetTempPath(), $"ecommerceaws-import-{manifest.RunId}-{entity.ToString().ToLowerInvariant()}-{number:D5}.json.gz"));
                        }
                        part.Write(mapped.Item);
                        written++;
                    }
                    position = document.Position;
                    if (part != null && part.Bytes >= spec.StagingObjectBytes)
                    {
                        await pending.ConfigureAwait(false);
                        rejects.Flush(); // the checkpoint below passes these rejects: they must be on disk first
                        pending = UploadAsync(state, part, number, position, written, rejected);
                        part = null;
                    }
                    if (lastProgress.Elapsed >= ProgressEvery)
                    {
                        lastProgress.Restart();
                        ReportStaging(state, written + rejected, count, part);
                    }
                }
                await pending.ConfigureAwait(false);
                rejects.Flush();
                if (part != null)
                {
                    await UploadAsync(state, part, number, position, written, rejected).ConfigureAwait(false);
                    part = null;
                }
                await SaveAsync(_ =>
                {
                    state.Checkpoint = position;
                    state.Written = written;
                    state.Rejected = rejected;
                    state.Staged = true;
                }).ConfigureAwait(false);
            }
            finally
            {
                part?.Dispose();
                try { await pending.ConfigureAwait(false); } catch (Exception) { /* reported by the await above */ }
                context.WriteProgress(new ProgressUpdate { Activity = StagingActivity(entity), Completed = true });
            }
            context.WriteVerbose($"{entity}: staged {written:N0} item(s) in {state.Parts.Count} object(s), {rejected:N0} rejected ({written + rejected - before:N0} document(s) read by this run).");
        }

        /// <summary>Uploads a finished object, then records it with the checkpoint and counts at its last document.</summary>
        private async Task UploadAsync(ManifestEntity state, StagingPart part, int number, string checkpoint, long written, long rejected)
        {
            using (part)
            {
                long stagedBytes = part.Finish();
                string key = StagingLayout.PartKey(spec.TableName, manifest.RunId, state.Entity, number);
                await staging.UploadAsync(part.Path, key).ConfigureAwait(false);
                var record = new ManifestPart { Key = key, Items = part.Items, Bytes = part.Bytes, StagedBytes = stagedBytes };
                await SaveAsync(_ =>
                {
                    state.Parts.Add(record);
                    state.Checkpoint = checkpoint;
                    state.Written = written;
                    state.Rejected = rejected;
                }).ConfigureAwait(false);
                context.WriteVerbose($"{state.Entity}: staged {key} ({part.Items:N0} items, {Megabytes(part.Bytes)} → {Megabytes(stagedBytes)} gzipped).");
            }
        }

        private void ReportStaging(ManifestEntity state, long done, long? count, StagingPart open)
        {
            double rate = clock.Elapsed.TotalSeconds > 0 ? done / clock.Elapsed.TotalSeconds : 0;
            long bytes = state.Parts.Sum(p => p.Bytes) + (open?.Bytes ?? 0);
            context.WriteProgress(new ProgressUpdate
            {
                Activity = StagingActivity(state.Entity),
                Status = $"{done:N0}{(count.HasValue ? $" of {count:N0}" : "")} documents read — {state.Parts.Count} object(s) uploaded, {Megabytes(bytes)} of DYNAMODB_JSON",
                PercentComplete = count is > 0 ? (int)Math.Min(100, done * 100 / count.Value) : -1,
                SecondsRemaining = count is > 0 && rate > 0 ? (int)((count.Value - done) / rate) : -1,
            });
        }

        private string StagingActivity(EcommerceEntity entity) => $"Staging {entity} in s3://{spec.StagingBucket} for the import into {spec.TableName}";

        private EcommerceException TooManyObjects() =>
            new EcommerceException("MigrationImportTooManyObjects", ErrorCategory.LimitsExceeded, spec.TableName,
                $"The import would need more than {MaxObjects:N0} S3 objects at {Megabytes(spec.StagingObjectBytes)} each; ImportTable takes at most {MaxObjects:N0} objects per import.",
                "Run the command again with -Restart and a larger -StagingObjectSizeMB.");

        // ------------------------------------------------------------------ the import

        /// <summary>Starts the import unless this run has one going: a new attempt after staging or a failure, the same call again after a crash.</summary>
        private async Task EnsureImportStartedAsync()
        {
            if (manifest.State is ImportRunState.Staged or ImportRunState.Failed) await StartImportAsync(newAttempt: true).ConfigureAwait(false);
            else if (manifest.State == ImportRunState.Importing && manifest.ImportArn == null) await StartImportAsync(newAttempt: false).ConfigureAwait(false);
        }

        private async Task StartImportAsync(bool newAttempt)
        {
            if (newAttempt) await NewAttemptAsync().ConfigureAwait(false);
            string prefix = StagingLayout.DataPrefix(spec.TableName, manifest.RunId);
            ImportTableResponse response;
            try
            {
                response = await dynamo.ImportTableAsync(new ImportTableRequest
                {
                    ClientToken = manifest.ClientToken,
                    S3BucketSource = new S3BucketSource { S3Bucket = spec.StagingBucket, S3KeyPrefix = prefix },
                    InputFormat = InputFormat.DYNAMODB_JSON,
                    InputCompressionType = InputCompressionType.GZIP,
                    TableCreationParameters = TableService.ImportParameters(Table),
                }, context.Cancellation).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                throw EcommerceErrors.MigrationImportTableExists(spec.TableName, $"Table '{spec.TableName}' was created by someone else while the documents were staged; ImportTable only creates a new table. The staged objects stay in s3://{spec.StagingBucket}/{StagingLayout.RunPrefix(spec.TableName, manifest.RunId)}.", "Use -Method Write for the existing table, or delete it and run the same command again (it imports the staged objects).");
            }
            catch (Amazon.Runtime.AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, spec.TableName, "ImportTable");
            }
            ImportTableDescription started = response.ImportTableDescription;
            await SaveAsync(m =>
            {
                m.ImportArn = started.ImportArn;
                m.TableArn = started.TableArn;
                m.ImportStatus = started.ImportStatus?.Value;
            }).ConfigureAwait(false);
            context.WriteVerbose($"Import {started.ImportArn} started ({started.ImportStatus}).");
        }

        /// <summary>
        /// Checks that the objects ImportTable will read are exactly the recorded ones (a stray object, uploaded by a crashed run
        /// and never recorded, would be imported twice; a missing one lost), then records a new attempt with its client token.
        /// </summary>
        private async Task NewAttemptAsync()
        {
            string prefix = StagingLayout.DataPrefix(spec.TableName, manifest.RunId);
            Dictionary<string, long> listed = await staging.ListAsync(prefix).ConfigureAwait(false);
            var recorded = manifest.Entities.SelectMany(e => e.Parts).ToDictionary(p => p.Key, p => p.StagedBytes, StringComparer.Ordinal);
            foreach (string stray in listed.Keys.Where(k => !recorded.ContainsKey(k)).ToList())
            {
                context.WriteVerbose($"Deleting {stray}: uploaded by an interrupted run but never recorded (its documents are in a recorded object).");
                await staging.DeleteAsync(stray).ConfigureAwait(false);
            }
            string missing = recorded.Keys.FirstOrDefault(k => !listed.TryGetValue(k, out long size) || size != recorded[k]);
            if (missing != null)
                throw new EcommerceException("MigrationStagingIncomplete", ErrorCategory.ObjectNotFound, $"s3://{spec.StagingBucket}/{missing}",
                    $"The staged object s3://{spec.StagingBucket}/{missing} is missing or changed since it was uploaded (deleted, expired after {StagingLayout.ExpireDays} days, or overwritten); the import was not started.",
                    "Run the command again with -Restart: it stages every document again.");
            long items = manifest.Entities.Sum(e => e.Written);
            if (items == 0)
                throw new EcommerceException("MigrationImportEmpty", ErrorCategory.InvalidData, spec.TableName,
                    $"No document of {string.Join(", ", manifest.Entities.Select(e => e.Entity))} can be imported ({manifest.Entities.Sum(e => e.Rejected):N0} rejected); the table was not created.",
                    $"See the rejects files ({string.Join(", ", manifest.Entities.Where(e => e.Rejected > 0).Select(e => e.RejectPath))}).");
            CheckSizeQuota(recorded.Values.Sum());
            int attempt = manifest.Attempt + 1;
            string token = $"ecommerceaws-{manifest.RunId}-{attempt}";
            await SaveAsync(m =>
            {
                m.State = ImportRunState.Importing;
                m.Attempt = attempt;
                m.ClientToken = token;
                m.ImportArn = null;
                m.TableArn = null;
                m.ImportStatus = null;
                m.FailureMessage = null;
            }).ConfigureAwait(false);
            context.WriteVerbose($"ImportTable: {items:N0} items in {recorded.Count} object(s) under s3://{spec.StagingBucket}/{prefix} into the new table '{spec.TableName}' (client token {token}).");
        }

        /// <summary>
        /// ImportTable's default quota on the source objects of the imports running at once ("Import format quotas and
        /// validation"): 15 TB in us-east-1, us-west-2 and eu-west-1, 1 TB in every other region. Above it the import would be
        /// refused after staging; the staged objects stay for a run after a quota increase.
        /// </summary>
        private void CheckSizeQuota(long stagedBytes)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            long limit = LargeImportRegions.Contains(region) ? 15L << 40 : 1L << 40;
            if (stagedBytes <= limit) return;
            throw new EcommerceException("MigrationImportTooLarge", ErrorCategory.LimitsExceeded, spec.TableName,
                $"The staged objects hold {stagedBytes / (double)(1L << 40):N2} TB; ImportTable takes at most {limit >> 40} TB of source objects at a time in {region} by default. The import was not started; the objects stay in s3://{spec.StagingBucket}/{StagingLayout.RunPrefix(spec.TableName, manifest.RunId)}.",
                "Ask AWS for a higher import quota and run the same command again (it imports the staged objects), or load the table with -Method Write.");
        }

        private static readonly HashSet<string> LargeImportRegions = new HashSet<string>(StringComparer.Ordinal) { "us-east-1", "us-west-2", "eu-west-1" };

        private async Task<ImportTableDescription> WaitAsync(CancellationToken cancellation)
        {
            long total = manifest.Entities.Sum(e => e.Written);
            long totalBytes = manifest.Entities.SelectMany(e => e.Parts).Sum(p => p.Bytes);
            string activity = $"Importing into {spec.TableName} ({manifest.ImportArn})";
            TimeSpan pause = TimeSpan.FromMilliseconds(10 * SignedServiceClient.RetryBaseMs());
            while (true)
            {
                DescribeImportResponse response = await AwsCall.Run(() => dynamo.DescribeImportAsync(new DescribeImportRequest { ImportArn = manifest.ImportArn }, cancellation),
                    "DescribeImport", spec.TableName).ConfigureAwait(false);
                ImportTableDescription import = response.ImportTableDescription;
                if (import.ImportStatus != ImportStatus.IN_PROGRESS)
                {
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
                    context.WriteVerbose($"Import {manifest.ImportArn}: {import.ImportStatus}, {import.ImportedItemCount ?? 0:N0} of {total:N0} items imported, {import.ErrorCount ?? 0} error(s).");
                    return import;
                }
                long processed = import.ProcessedItemCount ?? 0;
                context.WriteProgress(new ProgressUpdate
                {
                    Activity = activity,
                    Status = $"{import.ImportStatus}: {processed:N0} of {total:N0} items, {Megabytes(import.ProcessedSizeBytes ?? 0)} of {Megabytes(totalBytes)} processed, {import.ErrorCount ?? 0} error(s)",
                    PercentComplete = total > 0 ? (int)Math.Min(100, processed * 100 / total) : -1,
                });
                await Task.Delay(pause, cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>Records a failed import (status items when the table is there, the manifest) and returns the error to throw.</summary>
        private async Task<EcommerceException> RecordFailureAsync(ImportTableDescription import, TableDescription table)
        {
            string status = import.ImportStatus?.Value ?? "UNKNOWN";
            string detail = $"{import.ErrorCount ?? 0} error(s), {import.ImportedItemCount ?? 0:N0} of {manifest.Entities.Sum(e => e.Written):N0} items imported"
                + (string.IsNullOrEmpty(import.FailureCode) && string.IsNullOrEmpty(import.FailureMessage) ? "" : $", {import.FailureCode}: {import.FailureMessage}");
            EcommerceException error = FailureError(manifest.ImportArn, status, detail, tableExists: table != null, import.CloudWatchLogGroupArn);
            if (table != null)
            {
                var statusStore = new MigrationStatusStore(dynamo, spec.TableName);
                foreach (ManifestEntity entity in manifest.Entities)
                    await statusStore.PutImportedAsync(Status(entity, MigrationState.Failed, error.Message, finished: null), context.Cancellation).ConfigureAwait(false);
            }
            await SaveAsync(m =>
            {
                m.State = ImportRunState.Failed;
                m.ImportStatus = status;
                m.FailureMessage = detail;
            }).ConfigureAwait(false);
            return error;
        }

        private EcommerceException FailureError(string importArn, string status, string detail, bool tableExists, string logGroupArn = null)
        {
            string importId = importArn?.Substring(importArn.LastIndexOf('/') + 1);
            string logs = logGroupArn ?? ImportLogGroup;
            return new EcommerceException("MigrationImportFailed", ErrorCategory.InvalidResult, spec.TableName,
                $"The import into '{spec.TableName}' ended {status} ({detail}). DynamoDB wrote each error to CloudWatch Logs, log group {logs} (import {importId}, {importArn}). "
                + $"The staged objects are kept in s3://{spec.StagingBucket}/{StagingLayout.RunPrefix(spec.TableName, manifest?.RunId)} until the lifecycle rule expires them.",
                tableExists
                    ? $"Read the errors (aws logs filter-log-events --log-group-name {ImportLogGroup} --log-stream-name-prefix {importId}). Then either write the missing items into the table: Invoke-EcommerceMigration -TableName {spec.TableName} -Method Write -Restart (idempotent); or delete the table (Remove-EcommerceTable {spec.TableName} -Force) and run the same command again: it imports the staged objects again."
                    : $"Read the errors (aws logs filter-log-events --log-group-name {ImportLogGroup} --log-stream-name-prefix {importId}), fix the cause (for example the permissions in Get-EcommerceIamPolicy -Scope Migrate), and run the same command again: it imports the staged objects again (-Restart stages them again).");
        }

        /// <summary>The CloudWatch Logs group ImportTable writes its errors to.</summary>
        internal const string ImportLogGroup = "/aws-dynamodb/imports";

        // ------------------------------------------------------------------ finishing

        private async Task<IReadOnlyList<MigrationResult>> FinishAsync(ImportTableDescription import, CancellationTokenSource stopRenewal, Task renewing)
        {
            long staged = manifest.Entities.Sum(e => e.Written);
            if ((import.ImportedItemCount ?? staged) != staged)
                notes.Add($"ImportTable reports {import.ImportedItemCount:N0} items imported of {staged:N0} staged (items with one key overwrite each other without an error).");
            context.WriteVerbose($"Import {manifest.ImportArn} COMPLETED; applying deletion protection, tags, point-in-time recovery and time to live.");
            await TableService.FinishImportedAsync(dynamo, Table, context).ConfigureAwait(false);
            DateTime finished = DateTime.UtcNow;
            var statusStore = new MigrationStatusStore(dynamo, spec.TableName);
            foreach (ManifestEntity entity in manifest.Entities)
                if (!await statusStore.PutImportedAsync(Status(entity, MigrationState.Completed, null, finished), context.Cancellation).ConfigureAwait(false))
                    throw LeaseLost($"the {entity.Entity} status item in '{spec.TableName}' belongs to another run");
            await SaveAsync(m => { m.State = ImportRunState.Finished; m.ImportStatus = import.ImportStatus?.Value; }).ConfigureAwait(false);
            stopRenewal.Cancel();
            await renewing.ConfigureAwait(false);
            await ReleaseAsync().ConfigureAwait(false);
            if (spec.KeepStaging)
                notes.Add($"-KeepStaging: the staged objects and the manifest stay in s3://{spec.StagingBucket}/{StagingLayout.RunPrefix(spec.TableName, manifest.RunId)} (the lifecycle rule expires them after {StagingLayout.ExpireDays} days).");
            else
            {
                await staging.DeleteAsync(StagingLayout.RunPrefix(spec.TableName, manifest.RunId)).ConfigureAwait(false);
                await staging.DeleteAsync(StagingLayout.ManifestKey(spec.TableName)).ConfigureAwait(false);
            }
            return manifest.Entities.Select(entity => Result(entity, import.ImportArn)).ToList();
        }

        private MigrationStatusRecord Status(ManifestEntity entity, MigrationState state, string message, DateTime? finished)
        {
            double seconds = ((finished ?? DateTime.UtcNow) - manifest.StartedAt).TotalSeconds;
            bool completed = state == MigrationState.Completed;
            return new MigrationStatusRecord
            {
                Entity = entity.Entity, RunId = manifest.RunId, State = state, Source = entity.Source, SourceIdentity = entity.Identity,
                SourceCount = entity.Written + entity.Rejected,
                // A failed import leaves an unknown share of the items: a write run after it starts from the first document.
                Written = completed ? entity.Written : 0, Rejected = completed ? entity.Rejected : 0, Checkpoint = completed ? entity.Checkpoint : null,
                StartedAt = manifest.StartedAt, FinishedAt = finished, UpdatedAt = DateTime.UtcNow,
                ItemsPerSecond = completed && seconds > 0 ? Math.Round(entity.Written / seconds, 1) : 0,
                RejectPath = entity.RejectPath, Message = message, Method = MigrationMethod.Import, ImportArn = manifest.ImportArn,
                ChangeStreamStartAt = entity.ChangeStreamStartAt,
            };
        }

        private MigrationResult Result(ManifestEntity entity, string importArn)
        {
            long staged = entity.Parts.Sum(p => p.StagedBytes), bytes = entity.Parts.Sum(p => p.Bytes);
            var entityNotes = new List<string>(notes);
            if (importArn != null)
                entityNotes.Insert(0, $"Imported by {importArn}: {entity.Parts.Count} object(s), {Megabytes(bytes)} of DYNAMODB_JSON ({Megabytes(staged)} gzipped in S3).");
            if (entity.Rejected > 0 && !spec.DryRun) entityNotes.Add($"{entity.Rejected} documents rejected; see {entity.RejectPath}.");
            if (entity.ChangeStreamStartAt != null) entityNotes.Add($"Change-stream start point (cluster time before the first read): {entity.ChangeStreamStartAt}.");
            return new MigrationResult
            {
                RunId = manifest.RunId, Entity = entity.Entity, Source = entity.Source, TableName = spec.TableName,
                SourceCount = entity.Written + entity.Rejected, Written = entity.Written, Rejected = entity.Rejected,
                WrittenThisRun = entity.Written, RejectedThisRun = rejectedThisRun.GetValueOrDefault(entity.Entity),
                Duration = clock.Elapsed, ItemsPerSecond = clock.Elapsed.TotalSeconds > 0 ? Math.Round(entity.Written / clock.Elapsed.TotalSeconds, 1) : 0,
                State = MigrationState.Completed, Checkpoint = entity.Checkpoint, RejectPath = entity.Rejected > 0 && !spec.DryRun ? entity.RejectPath : null,
                Method = MigrationMethod.Import, ImportArn = importArn, StagingObjects = entity.Parts.Count, StagingBytes = staged, UncompressedBytes = bytes,
                WhatIf = spec.DryRun, Notes = entityNotes.ToArray(),
            };
        }

        // ------------------------------------------------------------------ -WhatIf

        /// <summary>Reads, maps and compresses every document as a run would; uploads nothing, creates nothing, writes no rejects file.</summary>
        private async Task<IReadOnlyList<MigrationResult>> DryRunAsync(IReadOnlyList<(EcommerceEntity Entity, IDocumentSource Source)> sources)
        {
            manifest = new ImportManifest { TableName = spec.TableName, RunId = "whatif", StartedAt = DateTime.UtcNow };
            foreach ((EcommerceEntity entity, IDocumentSource source) in sources)
            {
                var state = new ManifestEntity { Entity = entity, Source = source.Description };
                manifest.Entities.Add(state);
                var screen = new DocumentScreen(entity, source, entity == EcommerceEntity.User ? new EmailRegistry(null, spec.TableName, askTable: false) : null);
                StagingPart part = null;
                void Close()
                {
                    long stagedBytes = part.Finish();
                    state.Parts.Add(new ManifestPart { Items = part.Items, Bytes = part.Bytes, StagedBytes = stagedBytes });
                    part.Dispose();
                    part = null;
                }
                await foreach (SourceDocument document in source.ReadAsync(null, context.Cancellation).ConfigureAwait(false))
                {
                    (MappingResult mapped, RejectRecord reject) = await screen.CheckAsync(document, context.Cancellation).ConfigureAwait(false);
                    if (reject != null) { state.Rejected++; continue; }
                    part ??= new StagingPart(null);
                    part.Write(mapped.Item);
                    state.Written++;
                    state.Checkpoint = document.Position;
                    if (part.Bytes >= spec.StagingObjectBytes) Close();
                }
                if (part != null) Close();
            }
            notes.Add("WhatIf: nothing was uploaded, no table was created and no rejects file was written.");
            return manifest.Entities.Select(entity =>
            {
                MigrationResult result = Result(entity, null);
                return new MigrationResult
                {
                    RunId = null, Entity = result.Entity, Source = result.Source, TableName = result.TableName, SourceCount = result.SourceCount,
                    Written = result.Written, Rejected = result.Rejected, WrittenThisRun = result.Written, RejectedThisRun = result.Rejected, Duration = result.Duration,
                    ItemsPerSecond = result.ItemsPerSecond, State = MigrationState.Completed, Checkpoint = result.Checkpoint, Method = MigrationMethod.Import,
                    StagingObjects = result.StagingObjects, StagingBytes = result.StagingBytes, UncompressedBytes = result.UncompressedBytes, WhatIf = true,
                    Notes = new[] { $"WhatIf: {result.Written:N0} items would be staged in {result.StagingObjects} object(s), {Megabytes(result.UncompressedBytes)} of DYNAMODB_JSON ({Megabytes(result.StagingBytes)} gzipped), and imported; {result.Rejected:N0} documents rejected." }
                        .Concat(notes).ToArray(),
                };
            }).ToList();
        }

        // ------------------------------------------------------------------ helpers

        private string Staged() =>
            $"{manifest.Entities.Sum(e => e.Parts.Count)} object(s) with {manifest.Entities.Sum(e => e.Written):N0} item(s)";

        internal static string Megabytes(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1048576.0:N1} MB" : $"{bytes / 1024.0:N1} KB";
    }
}
