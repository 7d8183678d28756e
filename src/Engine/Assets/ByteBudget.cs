using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// Bounds the image bytes held in memory at once (read, hashed, waiting for or in upload): many products in flight
    /// are cheap with 20 KB images, not with 50 MB ones. One image larger than the whole budget still goes, alone.
    /// </summary>
    internal sealed class ByteBudget
    {
        private readonly object gate = new object();
        private readonly Queue<(long Bytes, TaskCompletionSource<bool> Ready)> waiting = new Queue<(long, TaskCompletionSource<bool>)>();
        private readonly long capacity;
        private long used;

        internal ByteBudget(long capacity) => this.capacity = capacity;

        /// <summary>Waits until <paramref name="bytes"/> fit; dispose the result to give them back.</summary>
        internal async Task<IDisposable> AcquireAsync(long bytes, CancellationToken cancellation)
        {
            bytes = Math.Max(0, bytes);
            TaskCompletionSource<bool> ready;
            lock (gate)
            {
                if (waiting.Count == 0 && Fits(bytes))
                {
                    used += bytes;
                    return new Reservation(this, bytes);
                }
                ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting.Enqueue((bytes, ready));
            }
            using (cancellation.Register(() => ready.TrySetCanceled(cancellation)))
            {
                // Cancelled while waiting: Release skips the entry when its turn comes.
                await ready.Task.ConfigureAwait(false);
            }
            return new Reservation(this, bytes);
        }

        private bool Fits(long bytes) => used == 0 || used + bytes <= capacity;

        private void Release(long bytes)
        {
            lock (gate)
            {
                used -= bytes;
                while (waiting.Count > 0)
                {
                    var (next, ready) = waiting.Peek();
                    if (ready.Task.IsCompleted) { waiting.Dequeue(); continue; }   // cancelled while waiting
                    if (!Fits(next)) break;
                    waiting.Dequeue();
                    used += next;
                    if (!ready.TrySetResult(true)) used -= next;
                }
            }
        }

        private sealed class Reservation : IDisposable
        {
            private ByteBudget owner;
            private readonly long bytes;

            internal Reservation(ByteBudget owner, long bytes)
            {
                this.owner = owner;
                this.bytes = bytes;
            }

            public void Dispose() => Interlocked.Exchange(ref owner, null)?.Release(bytes);
        }
    }
}
