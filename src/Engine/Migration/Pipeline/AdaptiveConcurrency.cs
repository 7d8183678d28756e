using System;
using System.Threading;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// AIMD limit on BatchWriteItem calls in flight: halves when DynamoDB throttles, grows by one after a round
    /// of clean calls, never above the -MaxConcurrency ceiling nor below one.
    /// </summary>
    internal sealed class AdaptiveConcurrency
    {
        private readonly object gate = new object();
        private readonly SemaphoreSlim permits;
        private readonly int ceiling;
        private int limit;
        private int debt; // permits to swallow on release because the limit went down
        private int cleanCalls;

        public AdaptiveConcurrency(int ceiling)
        {
            this.ceiling = Math.Max(1, ceiling);
            limit = this.ceiling;
            permits = new SemaphoreSlim(this.ceiling, this.ceiling);
        }

        public int Limit { get { lock (gate) return limit; } }

        public Task AcquireAsync(CancellationToken cancellation) => permits.WaitAsync(cancellation);

        /// <summary>Ends one call: <paramref name="throttled"/> when DynamoDB pushed back (error or unprocessed items).</summary>
        public void Release(bool throttled)
        {
            lock (gate)
            {
                if (throttled)
                {
                    cleanCalls = 0;
                    int lowered = Math.Max(1, limit / 2);
                    debt += limit - lowered;
                    limit = lowered;
                }
                else if (++cleanCalls >= limit && limit < ceiling)
                {
                    cleanCalls = 0;
                    limit++;
                    if (debt > 0) debt--; else permits.Release();
                }
                if (debt > 0) debt--; else permits.Release();
                // Permits no call holds (writers waiting for batches or backing off) go at once, or more calls than
                // the lowered limit could start before the debt is paid back by calls ending.
                while (debt > 0 && permits.Wait(0)) debt--;
            }
        }
    }
}
