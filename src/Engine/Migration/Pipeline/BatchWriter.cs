using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using System.Threading;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Mapping;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// Writes batches of up to 25 puts with BatchWriteItem until every item is accepted: UnprocessedItems and
    /// throttling/5xx errors are retried with exponential backoff and jitter and lower the concurrency; a batch
    /// that makes no progress for <see cref="StallTimeout"/> fails the run (MigrationStalled).
    /// A batch the service refuses as a whole for an item-level reason (ValidationException: BatchWriteItem then writes
    /// nothing) is split in halves, down to single items, until the refused items are isolated: they are returned with the
    /// service's message (ServiceRejected), the rest is written. Those extra calls are counted in <see cref="SplitCalls"/>;
    /// a clean batch costs exactly one call.
    /// </summary>
    internal sealed class BatchWriter
    {
        private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;
        private readonly AdaptiveConcurrency concurrency;
        private long calls;
        private long retries;
        private long splitCalls;

        public BatchWriter(IAmazonDynamoDB dynamo, string tableName, AdaptiveConcurrency concurrency, TimeSpan stallTimeout)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
            this.concurrency = concurrency;
            StallTimeout = stallTimeout;
        }

        public TimeSpan StallTimeout { get; }
        public long Calls => Interlocked.Read(ref calls);
        public long Retries => Interlocked.Read(ref retries);
        /// <summary>Calls made on the halves of refused batches (beyond one call per batch and its retries).</summary>
        public long SplitCalls => Interlocked.Read(ref splitCalls);

        /// <summary>What one batch took: its calls, and the items the service refused (index in the batch, the service's message).</summary>
        public sealed class Outcome
        {
            public int Calls { get; internal set; }
            public List<(int Index, string Message)> Refused { get; } = new List<(int, string)>();
        }

        /// <summary>Writes every request it can; returns the calls made and the items DynamoDB refused.</summary>
        public async Task<Outcome> WriteAsync(List<WriteRequest> requests, CancellationToken cancellation)
        {
            var outcome = new Outcome();
            var all = new List<int>(requests.Count);
            for (int i = 0; i < requests.Count; i++) all.Add(i);
            await WritePartAsync(requests, all, split: false, outcome, cancellation).ConfigureAwait(false);
            return outcome;
        }

        private async Task WritePartAsync(List<WriteRequest> requests, List<int> part, bool split, Outcome outcome, CancellationToken cancellation)
        {
            List<int> pending = part;
            var sinceProgress = Stopwatch.StartNew();
            int attempt = 0;
            string lastProblem = null;
            while (true)
            {
                await concurrency.AcquireAsync(cancellation).ConfigureAwait(false);
                bool throttled = false;
                AmazonServiceException refused = null;
                try
                {
                    Interlocked.Increment(ref calls);
                    if (split) Interlocked.Increment(ref splitCalls);
                    outcome.Calls++;
                    var batch = new List<WriteRequest>(pending.Count);
                    foreach (int index in pending) batch.Add(requests[index]);
                    BatchWriteItemResponse response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest
                    {
                        RequestItems = new Dictionary<string, List<WriteRequest>> { [tableName] = batch },
                    }, cancellation).ConfigureAwait(false);
                    List<WriteRequest> unprocessed = null;
                    response.UnprocessedItems?.TryGetValue(tableName, out unprocessed);
                    if (unprocessed == null || unprocessed.Count == 0) return;
                    if (unprocessed.Count < pending.Count) sinceProgress.Restart();
                    lastProblem = $"{unprocessed.Count} of {pending.Count} items unprocessed";
                    pending = Indices(requests, pending, unprocessed);
                    throttled = true;
                }
                catch (AmazonServiceException ex) when (IsRetryable(ex))
                {
                    throttled = true;
                    lastProblem = $"{ex.ErrorCode ?? ((int)ex.StatusCode).ToString()}: {ex.Message}";
                }
                catch (AmazonServiceException ex) when (IsItemLevel(ex))
                {
                    refused = ex;
                }
                catch (AmazonServiceException ex)
                {
                    throw AwsErrors.From(ex, tableName, "BatchWriteItem");
                }
                catch (System.Net.Http.HttpRequestException ex)
                {
                    throttled = true;
                    lastProblem = "connection problem: " + ex.Message;
                }
                catch (AmazonClientException ex) when (ex.InnerException is System.Net.Http.HttpRequestException || ex.InnerException is System.IO.IOException)
                {
                    throttled = true;
                    lastProblem = "connection problem: " + ex.Message;
                }
                finally
                {
                    concurrency.Release(throttled);
                }

                if (refused != null)
                {
                    // BatchWriteItem wrote none of them. One item left: that is the one the service refuses.
                    if (pending.Count == 1)
                    {
                        outcome.Refused.Add((pending[0], $"{refused.ErrorCode}: {refused.Message}"));
                        return;
                    }
                    int half = pending.Count / 2;
                    await WritePartAsync(requests, pending.GetRange(0, half), split: true, outcome, cancellation).ConfigureAwait(false);
                    await WritePartAsync(requests, pending.GetRange(half, pending.Count - half), split: true, outcome, cancellation).ConfigureAwait(false);
                    return;
                }
                if (sinceProgress.Elapsed > StallTimeout)
                    throw EcommerceErrors.MigrationStalled(tableName, "BatchWriteItem", StallTimeout, lastProblem, "the checkpoint");
                Interlocked.Increment(ref retries);
                await Task.Delay(Backoff(attempt++), cancellation).ConfigureAwait(false);
            }
        }

        /// <summary>The batch positions of the unprocessed items, matched by primary key (unique within a batch).</summary>
        private static List<int> Indices(List<WriteRequest> requests, List<int> pending, List<WriteRequest> unprocessed)
        {
            var byKey = new Dictionary<string, int>(pending.Count, StringComparer.Ordinal);
            foreach (int index in pending) byKey[KeyOf(requests[index])] = index;
            var result = new List<int>(unprocessed.Count);
            foreach (WriteRequest request in unprocessed)
                if (byKey.TryGetValue(KeyOf(request), out int index)) result.Add(index);
            return result.Count == unprocessed.Count ? result : pending; // unrecognized answer: resend everything still pending
        }

        private static string KeyOf(WriteRequest request)
        {
            Dictionary<string, AttributeValue> item = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
            return item == null ? "" : (item.TryGetValue(EntityKeys.PartitionKey, out AttributeValue pk) ? pk.S : "") + "\n" + (item.TryGetValue(EntityKeys.SortKey, out AttributeValue sk) ? sk.S : "");
        }

        /// <summary>
        /// Errors a single item can cause (the request is refused as a whole, nothing written): ValidationException (key too long,
        /// item too large, a value the service refuses), ItemCollectionSizeLimitExceeded, SerializationException. Access,
        /// missing-table and credential errors are not: they fail the run.
        /// </summary>
        internal static bool IsItemLevel(AmazonServiceException ex) =>
            ex.ErrorCode is "ValidationException" or "ItemCollectionSizeLimitExceededException" or "SerializationException";

        /// <summary>Exponential backoff with "equal jitter": never zero (no busy loop), never in lock-step with other writers.</summary>
        internal static TimeSpan Backoff(int attempt)
        {
            double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
            return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        }

        internal static bool IsRetryable(AmazonServiceException ex) =>
            ex is ProvisionedThroughputExceededException || ex is RequestLimitExceededException || ex is InternalServerErrorException
            || ex.ErrorCode is "ProvisionedThroughputExceededException" or "ThrottlingException" or "RequestLimitExceeded"
                or "Throttling" or "ServiceUnavailable" or "InternalServerError" or "InternalFailure"
            || (int)ex.StatusCode >= 500;
    }
}
