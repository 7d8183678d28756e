using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Mapping;

namespace EcommerceAws.Engine.Migration.Sync
{
    /// <summary>
    /// Where a sync's full load and its change stream meet (docs/DESIGN.md §5). Every document the change stream touches while the
    /// full load runs is marked, after any full-load write of it that is in flight has finished; the full load then leaves marked
    /// documents out of its batches (the stream's events carry their newer state). That in-process claim is what lets a clean full
    /// load use BatchWriteItem without conditions; a full load resumed after a crash cannot know what the dead process's stream
    /// wrote, so it writes conditionally (PutItem, never over a newer version). Tombstones stand for deletes until
    /// <see cref="EndFullLoadAsync"/>, after which deletes are real.
    /// </summary>
    internal sealed class SyncGate : IFullLoadGate
    {
        /// <summary>Bytes the version attribute adds to an item, at most (the name and a 20-digit number).</summary>
        private static readonly int StampBytes = System.Text.Encoding.UTF8.GetByteCount(EntityKeys.VersionAttribute) + 21;

        private readonly object sync = new object();
        private readonly HashSet<string> touched = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> inFlight = new Dictionary<string, int>(StringComparer.Ordinal);
        private TaskCompletionSource released = NewSignal();
        private bool active = true;
        private int streamWritesInFullLoad;
        private long leftToStream, staleSkipped, conditionalCalls;

        public SyncGate(EcommerceEntity entity, string startVersion, bool conditional, VersionedWriter writer)
        {
            Entity = entity;
            StartVersion = startVersion;
            Conditional = conditional;
            Writer = writer;
        }

        public EcommerceEntity Entity { get; }
        /// <summary>The full load's version: the start point's cluster time as a number.</summary>
        public string StartVersion { get; }
        /// <summary>True for a full load resumed after a crash: every full-load write is a conditional PutItem.</summary>
        public bool Conditional { get; }
        public VersionedWriter Writer { get; }

        public MigrationLease Lease { get; init; }
        public MigrationStatusRecord StatusBefore { get; init; }
        public string FreshRunId { get; init; }
        public RejectLog Rejects { get; init; }
        public EmailRegistry Emails { get; init; }
        public int ProgressActivityId { get; init; }
        /// <summary>The sync's status fields and progress line, owned by the sync run.</summary>
        public Func<SyncStatus> Status { get; init; }
        public Func<string> Note { get; init; }
        public string ProgressNote => Note?.Invoke();

        /// <summary>Documents the full load left to the change stream; full-load writes skipped because the table held a newer version.</summary>
        public long LeftToStream => Interlocked.Read(ref leftToStream);
        public long StaleSkipped => Interlocked.Read(ref staleSkipped);
        public long ConditionalCalls => Interlocked.Read(ref conditionalCalls);

        /// <summary>True until the full load is over: deletes are tombstones and the stream claims documents from the full load.</summary>
        public bool Active { get { lock (sync) return active; } }

        public RejectRecord Stamp(MappingResult mapped) => Stamp(Entity, mapped, StartVersion);

        /// <summary>Adds the version attribute; ItemTooLarge when the item would then be over 400 KB.</summary>
        public static RejectRecord Stamp(EcommerceEntity entity, MappingResult mapped, string version)
        {
            if (mapped.SizeBytes + StampBytes > ItemRules.MaxItemBytes)
                return new RejectRecord(entity, mapped.Id, RejectReason.ItemTooLarge, null,
                    $"The item is {mapped.SizeBytes:N0} bytes; with the sync's version attribute ({EntityKeys.VersionAttribute}) it would exceed DynamoDB's {ItemRules.MaxItemBytes:N0}.");
            mapped.Item[EntityKeys.VersionAttribute] = new AttributeValue { N = version };
            return null;
        }

        public void OnSave(MigrationStatusRecord record) => record.Sync = Status?.Invoke();

        public async Task<BatchWriter.Outcome> WriteAsync(List<WriteRequest> requests, List<string> ids, BatchWriter writer, CancellationToken cancellation)
        {
            var claimed = new List<int>(requests.Count);
            lock (sync)
            {
                for (int i = 0; i < ids.Count; i++)
                {
                    if (active && touched.Contains(ids[i])) continue;
                    inFlight[ids[i]] = inFlight.GetValueOrDefault(ids[i]) + 1;
                    claimed.Add(i);
                }
            }
            Interlocked.Add(ref leftToStream, requests.Count - claimed.Count);
            var outcome = new BatchWriter.Outcome();
            try
            {
                if (claimed.Count == 0) return outcome;
                if (!Conditional)
                {
                    BatchWriter.Outcome written = await writer.WriteAsync(claimed.Select(i => requests[i]).ToList(), cancellation).ConfigureAwait(false);
                    outcome.Calls = written.Calls;
                    foreach ((int index, string message) in written.Refused) outcome.Refused.Add((claimed[index], message));
                    return outcome;
                }
                var refused = new List<(int, string)>();
                await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = 5, CancellationToken = cancellation }, async (i, token) =>
                {
                    Interlocked.Increment(ref conditionalCalls);
                    VersionedWriter.Outcome put = await Writer.PutAsync(requests[i].PutRequest.Item, StartVersion, returnOld: false, token).ConfigureAwait(false);
                    if (put.Result == VersionedWriter.Result.Stale) Interlocked.Increment(ref staleSkipped);
                    else if (put.Result == VersionedWriter.Result.Refused) lock (refused) refused.Add((i, put.Message));
                }).ConfigureAwait(false);
                outcome.Calls = claimed.Count;
                outcome.Refused.AddRange(refused.OrderBy(r => r.Item1));
                return outcome;
            }
            finally
            {
                TaskCompletionSource signal;
                lock (sync)
                {
                    foreach (int i in claimed)
                    {
                        if (inFlight[ids[i]] == 1) inFlight.Remove(ids[i]);
                        else inFlight[ids[i]]--;
                    }
                    signal = released;
                    released = NewSignal();
                }
                signal.TrySetResult();
            }
        }

        /// <summary>
        /// Before the change stream writes a document: while the full load runs, waits for any full-load write of it in flight and marks
        /// it as the stream's. Dispose the ticket when the write is done. <see cref="Ticket.FullLoad"/> says deletes must be tombstones.
        /// </summary>
        public async Task<Ticket> EnterAsync(string id, CancellationToken cancellation)
        {
            while (true)
            {
                Task wait;
                lock (sync)
                {
                    if (!active) return new Ticket(this, fullLoad: false);
                    if (!inFlight.ContainsKey(id))
                    {
                        touched.Add(id);
                        streamWritesInFullLoad++;
                        return new Ticket(this, fullLoad: true);
                    }
                    wait = released.Task;
                }
                await wait.WaitAsync(cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>The full load is over: from now on deletes are real; returns once no stream write begun before is still running.</summary>
        public async Task EndFullLoadAsync(CancellationToken cancellation)
        {
            while (true)
            {
                Task wait;
                lock (sync)
                {
                    active = false;
                    if (streamWritesInFullLoad == 0)
                    {
                        touched.Clear();
                        return;
                    }
                    wait = released.Task;
                }
                await wait.WaitAsync(cancellation).ConfigureAwait(false);
            }
        }

        private void Leave()
        {
            TaskCompletionSource signal;
            lock (sync)
            {
                streamWritesInFullLoad--;
                signal = released;
                released = NewSignal();
            }
            signal.TrySetResult();
        }

        private static TaskCompletionSource NewSignal() => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>A change-stream write in progress; FullLoad: it began while the full load ran (deletes are tombstones).</summary>
        public sealed class Ticket : IDisposable
        {
            private SyncGate gate;

            public Ticket(SyncGate gate, bool fullLoad)
            {
                this.gate = fullLoad ? gate : null;
                FullLoad = fullLoad;
            }

            public bool FullLoad { get; }

            public void Dispose() => Interlocked.Exchange(ref gate, null)?.Leave();
        }

        public static string VersionOf(Dictionary<string, AttributeValue> item) =>
            item != null && item.TryGetValue(EntityKeys.VersionAttribute, out AttributeValue v) ? v.N : null;

        public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
