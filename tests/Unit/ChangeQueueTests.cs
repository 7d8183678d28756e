using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Sync;
using MongoDB.Bson;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>The sync's queue of unapplied changes (docs/DESIGN.md §5): folding per _id, one writer per _id, batches of distinct _ids.</summary>
    public class ChangeQueueTests
    {
        private static readonly Func<int, int> One = _ => 1;
        private static readonly Func<int, int> All = ready => ready;

        private static async Task<List<ChangeQueue<string>.Entry>> TakeNow(ChangeQueue<string> queue, Func<int, int> size)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await queue.TakeAsync(size, timeout.Token);
        }

        [Fact]
        public async Task ManyEventsOfOneIdFoldIntoTheLastAndFinishWithIt()
        {
            var queue = new ChangeQueue<string>(100);
            for (int i = 0; i < 50; i++) await queue.AddAsync("a", "a" + i, i, CancellationToken.None);
            await queue.AddAsync("b", "b0", 50, CancellationToken.None);

            var batch = await TakeNow(queue, All);
            Assert.Equal(new[] { "a", "b" }, batch.Select(e => e.Id));
            Assert.Equal("a49", batch[0].Change);          // the newest state of the document
            Assert.Equal(49, batch[0].Sequence);           // and the newest event's sequence (its version)
            Assert.Equal(Enumerable.Range(0, 49).Select(i => (long)i), batch[0].Folded); // every earlier event finishes with it
            Assert.Empty(batch[1].Folded);
            Assert.Equal(49, queue.FoldedCount);
        }

        [Fact]
        public async Task AnIdIsWrittenByOneWriterAtATimeAndItsNewerEventWaits()
        {
            var queue = new ChangeQueue<string>(100);
            await queue.AddAsync("a", "a0", 0, CancellationToken.None);
            var first = await TakeNow(queue, One);
            Assert.Equal("a0", first[0].Change);

            // Read while a0 is being written: not ready, however many writers ask; folds with later events of a.
            await queue.AddAsync("a", "a1", 1, CancellationToken.None);
            await queue.AddAsync("a", "a2", 2, CancellationToken.None);
            await queue.AddAsync("b", "b0", 3, CancellationToken.None);
            var second = await TakeNow(queue, All);
            Assert.Equal(new[] { "b" }, second.Select(e => e.Id));

            queue.Done(first);
            var third = await TakeNow(queue, All);
            Assert.Equal("a2", Assert.Single(third).Change);
            Assert.Equal(new long[] { 1 }, third[0].Folded);
        }

        [Fact]
        public async Task ABatchHoldsDistinctIdsInReadOrderAndCompletesEmpty()
        {
            var queue = new ChangeQueue<string>(100);
            foreach ((string id, int seq) in new[] { ("c", 0), ("a", 1), ("c", 2), ("b", 3) }) await queue.AddAsync(id, id + seq, seq, CancellationToken.None);
            var batch = await TakeNow(queue, _ => 2);
            Assert.Equal(new[] { "c", "a" }, batch.Select(e => e.Id)); // c keeps the place of its oldest unapplied event
            Assert.Equal("c2", batch[0].Change);
            queue.Complete();
            var rest = await TakeNow(queue, All);
            Assert.Equal("b", Assert.Single(rest).Id);
            queue.Done(batch);
            queue.Done(rest);
            Assert.Null(await TakeNow(queue, All));
        }

        [Fact]
        public async Task TheReaderWaitsWhenFullUnlessTheIdIsAlreadyHeld()
        {
            var queue = new ChangeQueue<string>(2);
            await queue.AddAsync("a", "a0", 0, CancellationToken.None);
            await queue.AddAsync("b", "b0", 1, CancellationToken.None);
            await queue.AddAsync("a", "a1", 2, CancellationToken.None); // folds: no room needed
            ValueTask blocked = queue.AddAsync("c", "c0", 3, CancellationToken.None);
            Assert.False(blocked.IsCompleted);
            var batch = await TakeNow(queue, One);
            Assert.False(blocked.IsCompleted);                         // a is being written: still two _ids held
            queue.Done(batch);
            await blocked.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task AFailedWriterStopsTheReaderAndTheOtherWriters()
        {
            var queue = new ChangeQueue<string>(1);
            await queue.AddAsync("a", "a0", 0, CancellationToken.None);
            ValueTask blocked = queue.AddAsync("b", "b0", 1, CancellationToken.None);
            queue.Fail(new InvalidOperationException("boom"));
            await Assert.ThrowsAsync<OperationCanceledException>(() => blocked.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Null(await TakeNow(queue, All));
        }

        [Fact]
        public void TheLeaseIsHeldWithAMarginOnlyAfterARenewalAndForTwoThirdsOfItsDuration()
        {
            var lease = new MigrationLease(TimeSpan.FromSeconds(3));
            Assert.False(lease.HeldWithMargin);                                      // never taken
            lease.Renewed(System.Diagnostics.Stopwatch.GetTimestamp());
            Assert.True(lease.HeldWithMargin);
            long old = System.Diagnostics.Stopwatch.GetTimestamp() - (long)(2.5 * System.Diagnostics.Stopwatch.Frequency);
            var stale = new MigrationLease(TimeSpan.FromSeconds(3));
            stale.Renewed(old);
            Assert.False(stale.HeldWithMargin);                                      // 2.5 s of 3: less than a third left
        }

        [Fact]
        public void AnImportRecordsTheStartPointOnlyWhenCompletedFromMongoDb()
        {
            var status = new MigrationStatusRecord
            {
                Entity = EcommerceEntity.Product, State = MigrationState.Completed, Method = MigrationMethod.Import,
                ChangeStreamStartAt = "{\"$timestamp\":{\"t\":1764600000,\"i\":7}}",
            };
            Assert.Equal(new BsonTimestamp(1764600000, 7), SyncRun.ImportStartPoint(status));
            status.ChangeStreamStartAt = "{ \"$timestamp\" : { \"t\" : 1764600000, \"i\" : 7 } }"; // as ImportRun writes it
            Assert.Equal(new BsonTimestamp(1764600000, 7), SyncRun.ImportStartPoint(status));
            status.State = MigrationState.Failed;
            Assert.Null(SyncRun.ImportStartPoint(status));
            status.State = MigrationState.Completed;
            status.Method = MigrationMethod.Write;
            Assert.Null(SyncRun.ImportStartPoint(status));
            status.Method = MigrationMethod.Import;
            status.ChangeStreamStartAt = null;                                      // a file source or a standalone server
            Assert.Null(SyncRun.ImportStartPoint(status));
        }
    }
}
