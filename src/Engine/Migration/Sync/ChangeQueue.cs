using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.Migration.Sync
{
    /// <summary>
    /// The change-stream events a sync has read and not applied yet, one entry per _id (docs/DESIGN.md §5). A new event of an _id
    /// whose entry is still waiting replaces that entry's event (it is folded: only the newest state of a document is written,
    /// with that event's version) and keeps its place in the queue; the folded events' sequences finish with the write of the
    /// event that replaced them, so the watermark never passes an event whose effect is not in the table. An _id is handed to
    /// one writer at a time: events of one _id are applied in order; a new event of an _id being written waits for that write.
    /// Writers take several ready entries at once (different _ids) to batch them.
    /// </summary>
    internal sealed class ChangeQueue<T>
    {
        public sealed class Entry
        {
            internal Entry(string id, T change, long sequence)
            {
                Id = id;
                Change = change;
                Sequence = sequence;
            }

            public string Id { get; }
            /// <summary>The newest event of this _id read so far.</summary>
            public T Change { get; internal set; }
            public long Sequence { get; internal set; }
            /// <summary>Sequences of earlier events of this _id that <see cref="Change"/> replaced; they finish with it.</summary>
            public List<long> Folded { get; } = new List<long>(0);
            internal bool Queued;
        }

        private readonly object sync = new object();
        private readonly Dictionary<string, Entry> waiting = new Dictionary<string, Entry>(StringComparer.Ordinal);
        private readonly Queue<Entry> ready = new Queue<Entry>();
        private readonly HashSet<string> running = new HashSet<string>(StringComparer.Ordinal);
        private readonly int capacity;
        private TaskCompletionSource changed = NewSignal();
        private bool completed;
        private Exception fault;
        private long folded;

        /// <param name="capacity">_ids held (waiting or being written) before <see cref="AddAsync"/> waits for room.</param>
        public ChangeQueue(int capacity)
        {
            this.capacity = Math.Max(1, capacity);
        }

        /// <summary>Entries ready to be taken (their _id is not being written).</summary>
        public int ReadyCount { get { lock (sync) return ready.Count; } }

        /// <summary>Events folded into a later event of the same _id so far.</summary>
        public long FoldedCount => Interlocked.Read(ref folded);

        /// <summary>Adds an event of <paramref name="id"/>; waits while the queue holds <c>capacity</c> _ids and this one is not among them.</summary>
        public async ValueTask AddAsync(string id, T change, long sequence, CancellationToken cancellation)
        {
            while (true)
            {
                Task wait;
                lock (sync)
                {
                    if (fault != null) throw new OperationCanceledException("A writer of the change stream failed.", fault);
                    if (waiting.TryGetValue(id, out Entry entry))
                    {
                        entry.Folded.Add(entry.Sequence);
                        entry.Change = change;
                        entry.Sequence = sequence;
                        folded++;
                        return; // keeps its place: the oldest unapplied event of this _id sets when it is written
                    }
                    if (waiting.Count + running.Count < capacity || running.Contains(id))
                    {
                        entry = new Entry(id, change, sequence);
                        waiting[id] = entry;
                        if (!running.Contains(id))
                        {
                            ready.Enqueue(entry);
                            entry.Queued = true;
                            Signal();
                        }
                        return;
                    }
                    wait = changed.Task;
                }
                await wait.WaitAsync(cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Takes up to <paramref name="size"/>(ready count) ready entries (distinct _ids), marking them as being written; null when the
        /// queue is complete and empty. Give every taken entry back with <see cref="Done"/>.
        /// </summary>
        public async Task<List<Entry>> TakeAsync(Func<int, int> size, CancellationToken cancellation)
        {
            while (true)
            {
                Task wait;
                lock (sync)
                {
                    if (fault != null) return null;
                    if (ready.Count > 0)
                    {
                        int count = Math.Clamp(size(ready.Count), 1, ready.Count);
                        var taken = new List<Entry>(count);
                        for (int i = 0; i < count; i++)
                        {
                            Entry entry = ready.Dequeue();
                            entry.Queued = false;
                            waiting.Remove(entry.Id);
                            running.Add(entry.Id);
                            taken.Add(entry);
                        }
                        return taken;
                    }
                    if (completed && waiting.Count == 0) return null;
                    wait = changed.Task;
                }
                await wait.WaitAsync(cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>The entries' writes are over: their _ids may be taken again (a newer event that waited for them becomes ready).</summary>
        public void Done(IEnumerable<Entry> entries)
        {
            lock (sync)
            {
                foreach (Entry entry in entries)
                {
                    running.Remove(entry.Id);
                    if (waiting.TryGetValue(entry.Id, out Entry next) && !next.Queued)
                    {
                        ready.Enqueue(next);
                        next.Queued = true;
                    }
                }
                Signal();
            }
        }

        /// <summary>No more events: writers finish what is queued, then <see cref="TakeAsync"/> returns null.</summary>
        public void Complete()
        {
            lock (sync)
            {
                completed = true;
                Signal();
            }
        }

        /// <summary>A writer failed: the reader's next <see cref="AddAsync"/> throws, other writers stop taking.</summary>
        public void Fail(Exception error)
        {
            lock (sync)
            {
                fault ??= error;
                Signal();
            }
        }

        private void Signal()
        {
            TaskCompletionSource signal = changed;
            changed = NewSignal();
            signal.TrySetResult();
        }

        private static TaskCompletionSource NewSignal() => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
