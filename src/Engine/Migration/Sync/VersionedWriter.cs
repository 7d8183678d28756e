using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Mapping;

namespace EcommerceAws.Engine.Migration.Sync
{
    /// <summary>
    /// A sync's single-item writes (docs/DESIGN.md §5): PutItem and DeleteItem on the condition that the stored item is not newer
    /// (<c>attribute_not_exists(_syncVersion) OR _syncVersion &lt;= :v</c>), so a replayed or late change never overwrites a newer
    /// one. Throttling, 5xx and dropped connections are retried with BatchWriter's backoff until no progress for the stall timeout.
    /// </summary>
    internal sealed class VersionedWriter
    {
        public const string NotNewer = "attribute_not_exists(#v) OR #v <= :v";
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;
        private readonly TimeSpan stallTimeout;
        private long calls;

        public VersionedWriter(IAmazonDynamoDB dynamo, string tableName, TimeSpan stallTimeout)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
            this.stallTimeout = stallTimeout;
        }

        public long Calls => Interlocked.Read(ref calls);

        public enum Result { Applied, Stale, Refused }

        /// <summary>What one write did: applied, stale (the table holds a newer version), or refused by DynamoDB (message); the old item when asked.</summary>
        public readonly record struct Outcome(Result Result, string Message, Dictionary<string, AttributeValue> Old);

        /// <summary>Puts the item unless the table holds a newer version of it.</summary>
        public Task<Outcome> PutAsync(Dictionary<string, AttributeValue> item, string version, bool returnOld, CancellationToken cancellation) =>
            RunAsync(() => dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName, Item = item, ConditionExpression = NotNewer,
                ExpressionAttributeNames = VersionName(), ExpressionAttributeValues = VersionValue(version),
                ReturnValues = returnOld ? ReturnValue.ALL_OLD : ReturnValue.NONE,
            }, cancellation), r => r.Attributes, "PutItem", cancellation);

        /// <summary>Deletes the item unless the table holds a newer version of it.</summary>
        public Task<Outcome> DeleteAsync(Dictionary<string, AttributeValue> key, string version, bool returnOld, CancellationToken cancellation) =>
            RunAsync(() => dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = tableName, Key = key, ConditionExpression = NotNewer,
                ExpressionAttributeNames = VersionName(), ExpressionAttributeValues = VersionValue(version),
                ReturnValues = returnOld ? ReturnValue.ALL_OLD : ReturnValue.NONE,
            }, cancellation), r => r.Attributes, "DeleteItem", cancellation);

        /// <summary>Deletes the item if <paramref name="condition"/> holds (the sweep's own conditions); Stale when it does not.</summary>
        public Task<Outcome> DeleteIfAsync(Dictionary<string, AttributeValue> key, string condition, Dictionary<string, AttributeValue> values, CancellationToken cancellation) =>
            RunAsync(() => dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = tableName, Key = key, ConditionExpression = condition,
                ExpressionAttributeNames = VersionName(), ExpressionAttributeValues = values,
            }, cancellation), _ => null, "DeleteItem", cancellation);

        /// <summary>A tombstone: the key, id, entityType TOMBSTONE and the delete's version; no GSI1 keys, so no index or reader sees it.</summary>
        public static Dictionary<string, AttributeValue> Tombstone(EcommerceEntity entity, string id, string version)
        {
            var item = EntityKeys.PrimaryKey(entity, id);
            item[EntityKeys.IdAttribute] = new AttributeValue(id);
            item[EntityKeys.EntityTypeAttribute] = new AttributeValue(EntityKeys.TombstoneEntityType);
            item[EntityKeys.VersionAttribute] = new AttributeValue { N = version };
            return item;
        }

        internal static Dictionary<string, string> VersionName() => new Dictionary<string, string> { ["#v"] = EntityKeys.VersionAttribute };

        private static Dictionary<string, AttributeValue> VersionValue(string version) =>
            new Dictionary<string, AttributeValue> { [":v"] = new AttributeValue { N = version } };

        private async Task<Outcome> RunAsync<T>(Func<Task<T>> call, Func<T, Dictionary<string, AttributeValue>> old, string operation, CancellationToken cancellation)
        {
            var sinceProgress = Stopwatch.StartNew();
            string lastProblem = null;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    Interlocked.Increment(ref calls);
                    T response = await call().ConfigureAwait(false);
                    Dictionary<string, AttributeValue> before = old(response);
                    return new Outcome(Result.Applied, null, before != null && before.Count > 0 ? before : null);
                }
                catch (ConditionalCheckFailedException)
                {
                    return new Outcome(Result.Stale, null, null);
                }
                catch (AmazonServiceException ex) when (BatchWriter.IsItemLevel(ex))
                {
                    return new Outcome(Result.Refused, $"{ex.ErrorCode}: {ex.Message}", null);
                }
                catch (AmazonServiceException ex) when (BatchWriter.IsRetryable(ex))
                {
                    lastProblem = $"{ex.ErrorCode ?? ((int)ex.StatusCode).ToString()}: {ex.Message}";
                }
                catch (AmazonServiceException ex)
                {
                    throw AwsErrors.From(ex, tableName, operation);
                }
                catch (Exception ex) when (ex is System.Net.Http.HttpRequestException || ex is AmazonClientException { InnerException: System.Net.Http.HttpRequestException or System.IO.IOException })
                {
                    lastProblem = "connection problem: " + ex.Message;
                }
                if (sinceProgress.Elapsed > stallTimeout)
                    throw EcommerceErrors.MigrationStalled(tableName, operation, stallTimeout, lastProblem, "the resume point");
                await Task.Delay(BatchWriter.Backoff(attempt), cancellation).ConfigureAwait(false);
            }
        }
    }
}
