using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Migration.Engine
{
    /// <summary>
    /// Writes batches of up to 25 puts with BatchWriteItem until every item is accepted: UnprocessedItems and
    /// throttling/5xx errors are retried with exponential backoff and jitter and lower the concurrency; a batch
    /// that makes no progress for <see cref="StallTimeout"/> fails the run (MigrationStalled).
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

        /// <summary>Writes every request; returns the number of calls it took.</summary>
        public async Task<int> WriteAsync(List<WriteRequest> requests, CancellationToken cancellation)
        {
            List<WriteRequest> pending = requests;
            var sinceProgress = Stopwatch.StartNew();
            int attempt = 0;
            string lastProblem = null;
            while (true)
            {
                await concurrency.AcquireAsync(cancellation).ConfigureAwait(false);
                bool throttled = false;
                try
                {
                    Interlocked.Increment(ref calls);
                    BatchWriteItemResponse response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest
                    {
                        RequestItems = new Dictionary<string, List<WriteRequest>> { [tableName] = pending },
                    }, cancellation).ConfigureAwait(false);
                    List<WriteRequest> unprocessed = null;
                    response.UnprocessedItems?.TryGetValue(tableName, out unprocessed);
                    if (unprocessed == null || unprocessed.Count == 0) return attempt + 1;
                    if (unprocessed.Count < pending.Count) sinceProgress.Restart();
                    lastProblem = $"{unprocessed.Count} of {pending.Count} items unprocessed";
                    pending = unprocessed;
                    throttled = true;
                }
                catch (AmazonServiceException ex) when (IsRetryable(ex))
                {
                    throttled = true;
                    lastProblem = $"{ex.ErrorCode ?? ((int)ex.StatusCode).ToString()}: {ex.Message}";
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

                if (sinceProgress.Elapsed > StallTimeout)
                    throw new EcommerceException("MigrationStalled", ErrorCategory.LimitsExceeded, tableName,
                        $"BatchWriteItem on '{tableName}' made no progress for {StallTimeout.TotalSeconds:0} s (last: {lastProblem}).",
                        "The table is throttling hard or unreachable: raise its write capacity (or use on-demand), then run the same command again to resume from the checkpoint.");
                Interlocked.Increment(ref retries);
                await Task.Delay(Backoff(attempt++), cancellation).ConfigureAwait(false);
            }
        }

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
