using System.Collections.Generic;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// The checkpoint watermark: documents get sequence numbers in source order; the watermark is the position of
    /// the highest sequence such that every document at or before it is written or rejected, whatever order the
    /// concurrent writers finish in. Counts at the watermark are what a resumed run starts from.
    /// </summary>
    internal sealed class WatermarkTracker
    {
        private readonly object gate = new object();
        private readonly Dictionary<long, string> positions = new Dictionary<long, string>();
        private readonly Dictionary<long, bool> finished = new Dictionary<long, bool>(); // seq → written (false = rejected)
        private long nextSequence;
        private long nextToAdvance;

        public WatermarkTracker(string checkpoint, long written, long rejected)
        {
            Checkpoint = checkpoint;
            WrittenAtWatermark = written;
            RejectedAtWatermark = rejected;
            DoneBefore = written + rejected;
        }

        /// <summary>Documents written or rejected by earlier runs (up to the checkpoint this run resumes from).</summary>
        public long DoneBefore { get; }

        public string Checkpoint { get; private set; }
        public long WrittenAtWatermark { get; private set; }
        public long RejectedAtWatermark { get; private set; }
        /// <summary>Documents of this run written or rejected so far, in any order.</summary>
        public long WrittenThisRun { get; private set; }
        public long RejectedThisRun { get; private set; }
        public long ReadThisRun { get { lock (gate) return nextSequence; } }

        public long Register(string position)
        {
            lock (gate)
            {
                positions[nextSequence] = position;
                return nextSequence++;
            }
        }

        public void Finish(long sequence, bool written)
        {
            lock (gate)
            {
                finished[sequence] = written;
                if (written) WrittenThisRun++; else RejectedThisRun++;
                Advance();
            }
        }

        public void FinishWritten(IEnumerable<long> sequences)
        {
            lock (gate)
            {
                foreach (long sequence in sequences)
                {
                    finished[sequence] = true;
                    WrittenThisRun++;
                }
                Advance();
            }
        }

        /// <summary>A consistent copy (checkpoint and the counts that belong to it).</summary>
        public (string Checkpoint, long Written, long Rejected) Snapshot()
        {
            lock (gate) return (Checkpoint, WrittenAtWatermark, RejectedAtWatermark);
        }

        private void Advance()
        {
            while (finished.TryGetValue(nextToAdvance, out bool written))
            {
                Checkpoint = positions[nextToAdvance];
                if (written) WrittenAtWatermark++; else RejectedAtWatermark++;
                finished.Remove(nextToAdvance);
                positions.Remove(nextToAdvance);
                nextToAdvance++;
            }
        }
    }
}
