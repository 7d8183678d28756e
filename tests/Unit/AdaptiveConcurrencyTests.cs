using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Engine.Migration.Pipeline;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>AIMD limit on BatchWriteItem calls in flight (docs/DESIGN.md §5): what can start, not just the number reported.</summary>
    public class AdaptiveConcurrencyTests
    {
        /// <summary>Starts every call that can start right now (up to <paramref name="max"/>); returns how many did (a blocked acquire is withdrawn).</summary>
        private static int StartAll(AdaptiveConcurrency concurrency, int max = int.MaxValue)
        {
            int started = 0;
            while (started < max)
            {
                using var withdraw = new CancellationTokenSource();
                Task acquire = concurrency.AcquireAsync(withdraw.Token);
                if (!acquire.IsCompleted)
                {
                    withdraw.Cancel();
                    // Withdrawn without taking a permit (the cancellation may complete on another thread).
                    Assert.ThrowsAny<OperationCanceledException>(() => acquire.GetAwaiter().GetResult());
                    return started;
                }
                started++;
            }
            return started;
        }

        [Fact]
        public void It_starts_at_the_ceiling_and_a_ceiling_below_one_means_one()
        {
            var c = new AdaptiveConcurrency(6);
            Assert.Equal(6, c.Limit);
            Assert.Equal(6, StartAll(c));
            var none = new AdaptiveConcurrency(0);
            Assert.Equal(1, none.Limit);
            Assert.Equal(1, StartAll(none));
            Assert.Equal(1, new AdaptiveConcurrency(-3).Limit);
        }

        [Fact]
        public void Each_throttle_halves_the_limit_down_to_one_never_zero()
        {
            var c = new AdaptiveConcurrency(10);
            Assert.Equal(10, StartAll(c));
            var seen = new List<int>();
            for (int i = 0; i < 5; i++)
            {
                c.Release(throttled: true);
                seen.Add(c.Limit);
            }
            Assert.Equal(new[] { 5, 2, 1, 1, 1 }, seen);
        }

        [Fact]
        public async Task Halving_takes_effect_at_once_even_when_permits_are_idle()
        {
            // One call in flight out of 8 allowed (the source is slower than the table): DynamoDB throttles it.
            var c = new AdaptiveConcurrency(8);
            await c.AcquireAsync(CancellationToken.None);
            c.Release(throttled: true);
            Assert.Equal(4, c.Limit);
            Assert.Equal(4, StartAll(c)); // not the 7 idle permits of before
        }

        [Fact]
        public void When_every_call_is_in_flight_a_throttle_stops_new_calls_until_enough_have_ended()
        {
            var c = new AdaptiveConcurrency(8);
            Assert.Equal(8, StartAll(c));
            c.Release(throttled: true);              // 7 in flight, limit 4
            Assert.Equal(4, c.Limit);
            Assert.Equal(0, StartAll(c));
            c.Release(throttled: true);              // 6 in flight, limit 2
            c.Release(throttled: true);              // 5 in flight, limit 1
            Assert.Equal(1, c.Limit);
            for (int i = 0; i < 4; i++)
            {
                c.Release(throttled: true);          // 4, 3, 2, 1 in flight: still over the limit
                Assert.Equal(0, StartAll(c));
            }
            c.Release(throttled: true);              // none in flight
            Assert.Equal(1, StartAll(c));
        }

        [Fact]
        public void It_grows_by_one_after_a_round_of_clean_calls_up_to_the_ceiling_and_no_further()
        {
            var c = new AdaptiveConcurrency(4);
            Assert.Equal(4, StartAll(c));
            for (int i = 0; i < 4; i++) c.Release(throttled: true); // limit 2, 1, 1, 1; nothing in flight
            Assert.Equal(1, c.Limit);
            Assert.Equal(1, StartAll(c));
            c.Release(false);                        // one clean call at limit 1: a round
            Assert.Equal(2, c.Limit);
            Assert.Equal(2, StartAll(c));
            c.Release(false);                        // 1 of a round of 2
            Assert.Equal(2, c.Limit);
            c.Release(false);                        // round complete
            Assert.Equal(3, c.Limit);
            Assert.Equal(3, StartAll(c));
            c.Release(false); c.Release(false); c.Release(false);
            Assert.Equal(4, c.Limit);
            Assert.Equal(4, StartAll(c));
            for (int i = 0; i < 4; i++) c.Release(false);
            Assert.Equal(4, c.Limit);                // the ceiling holds
            Assert.Equal(4, StartAll(c));
        }

        [Fact]
        public void A_throttle_restarts_the_round_of_clean_calls()
        {
            var c = new AdaptiveConcurrency(8);
            Assert.Equal(8, StartAll(c));
            for (int i = 0; i < 8; i++) c.Release(throttled: true);
            Assert.Equal(1, c.Limit);
            Assert.Equal(1, StartAll(c));
            c.Release(false);
            Assert.Equal(2, c.Limit);
            Assert.Equal(2, StartAll(c));
            c.Release(false);                        // 1 clean of a round of 2 ...
            c.Release(true);                         // ... then a throttle: back to 1, the round starts again
            Assert.Equal(1, c.Limit);
            Assert.Equal(1, StartAll(c));
            c.Release(false);
            Assert.Equal(2, c.Limit);
        }

        [Fact]
        public void Whatever_happens_exactly_limit_minus_in_flight_calls_can_start()
        {
            var random = new Random(20261201);
            for (int ceiling = 1; ceiling <= 12; ceiling++)
            {
                var c = new AdaptiveConcurrency(ceiling);
                int inFlight = 0;
                for (int step = 0; step < 1000; step++)
                {
                    if (inFlight > 0 && random.Next(3) > 0)
                    {
                        c.Release(throttled: random.Next(5) == 0);
                        inFlight--;
                    }
                    else
                    {
                        // Start a few calls, not necessarily all that could: permits are often idle (a slow source).
                        inFlight += StartAll(c, max: random.Next(1, 4));
                    }
                    int limit = c.Limit;
                    Assert.InRange(limit, 1, ceiling);
                    if (random.Next(4) > 0) continue;
                    int could = StartAll(c);
                    Assert.Equal(Math.Max(0, limit - inFlight), could);
                    inFlight += could;
                }
            }
        }
    }
}
