using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Migration.Engine
{
    /// <summary>One status item's content (see <see cref="MigrationStatusStore"/>).</summary>
    internal sealed class MigrationStatusRecord
    {
        public EcommerceEntity Entity { get; set; }
        public string RunId { get; set; }
        public MigrationState State { get; set; }
        public string Source { get; set; }
        public long SourceCount { get; set; }
        public long Written { get; set; }
        public long Rejected { get; set; }
        public string Checkpoint { get; set; }
        public DateTime StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public double ItemsPerSecond { get; set; }
        public string RejectPath { get; set; }
        public string Message { get; set; }
        public DateTime? LastVerifiedAt { get; set; }
        public bool? LastVerificationPassed { get; set; }

        public MigrationStatusInfo ToInfo(string tableName, MigrationVerification verification = null) => new MigrationStatusInfo
        {
            TableName = tableName, Entity = Entity, RunId = RunId, State = State, Source = Source, SourceCount = SourceCount,
            Written = Written, Rejected = Rejected, Checkpoint = Checkpoint, StartedAt = StartedAt, FinishedAt = FinishedAt,
            UpdatedAt = UpdatedAt, ItemsPerSecond = ItemsPerSecond, RejectPath = RejectPath, Message = Message,
            LastVerifiedAt = LastVerifiedAt, LastVerificationPassed = LastVerificationPassed, Verification = verification,
        };
    }

    /// <summary>
    /// Status items in the target table: PK = MIGRATION#&lt;ENTITY&gt;, SK = STATUS, entityType = MIGRATION_STATUS and no
    /// GSI1 keys, so they never show up in entity queries or entityType counts.
    /// </summary>
    internal sealed class MigrationStatusStore
    {
        public const string SortKey = "STATUS";
        public const string EntityType = "MIGRATION_STATUS";
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;

        public MigrationStatusStore(IAmazonDynamoDB dynamo, string tableName)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
        }

        public static Dictionary<string, AttributeValue> Key(EcommerceEntity entity) => new Dictionary<string, AttributeValue>
        {
            ["PK"] = new AttributeValue("MIGRATION#" + entity.ToString().ToUpperInvariant()),
            ["SK"] = new AttributeValue(SortKey),
        };

        public async Task<MigrationStatusRecord> GetAsync(EcommerceEntity entity, CancellationToken cancellation)
        {
            GetItemResponse response = await AwsCall.Run(() => dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName, Key = Key(entity), ConsistentRead = true,
            }, cancellation), "GetItem", tableName).ConfigureAwait(false);
            return response.Item == null || response.Item.Count == 0 ? null : FromItem(entity, response.Item);
        }

        public Task PutAsync(MigrationStatusRecord record, CancellationToken cancellation)
        {
            var item = Key(record.Entity);
            item["entityType"] = new AttributeValue(EntityType);
            item["Entity"] = new AttributeValue(record.Entity.ToString());
            item["RunId"] = new AttributeValue(record.RunId);
            item["State"] = new AttributeValue(record.State.ToString());
            item["Source"] = new AttributeValue(record.Source ?? "");
            item["SourceCount"] = Number(record.SourceCount);
            item["Written"] = Number(record.Written);
            item["Rejected"] = Number(record.Rejected);
            if (record.Checkpoint != null) item["Checkpoint"] = new AttributeValue(record.Checkpoint);
            item["StartedAt"] = new AttributeValue(Iso(record.StartedAt));
            if (record.FinishedAt != null) item["FinishedAt"] = new AttributeValue(Iso(record.FinishedAt.Value));
            item["UpdatedAt"] = new AttributeValue(Iso(record.UpdatedAt));
            item["ItemsPerSecond"] = new AttributeValue { N = Math.Round(record.ItemsPerSecond, 1).ToString(CultureInfo.InvariantCulture) };
            if (!string.IsNullOrEmpty(record.RejectPath)) item["RejectPath"] = new AttributeValue(record.RejectPath);
            if (!string.IsNullOrEmpty(record.Message)) item["Message"] = new AttributeValue(record.Message);
            if (record.LastVerifiedAt != null) item["LastVerifiedAt"] = new AttributeValue(Iso(record.LastVerifiedAt.Value));
            if (record.LastVerificationPassed != null) item["LastVerificationPassed"] = new AttributeValue { BOOL = record.LastVerificationPassed.Value };
            return AwsCall.Run(() => dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellation), "PutItem", tableName);
        }

        public Task SetVerificationAsync(EcommerceEntity entity, DateTime verifiedAt, bool passed, CancellationToken cancellation) =>
            AwsCall.Run(() => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(entity),
                ConditionExpression = "attribute_exists(PK)",
                UpdateExpression = "SET LastVerifiedAt = :at, LastVerificationPassed = :ok",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":at"] = new AttributeValue(Iso(verifiedAt)),
                    [":ok"] = new AttributeValue { BOOL = passed },
                },
            }, cancellation), "UpdateItem", tableName);

        public async Task<bool> DeleteAsync(EcommerceEntity entity, CancellationToken cancellation)
        {
            DeleteItemResponse response = await AwsCall.Run(() => dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = tableName, Key = Key(entity), ReturnValues = ReturnValue.ALL_OLD,
            }, cancellation), "DeleteItem", tableName).ConfigureAwait(false);
            return response.Attributes != null && response.Attributes.Count > 0;
        }

        private static MigrationStatusRecord FromItem(EcommerceEntity entity, Dictionary<string, AttributeValue> item)
        {
            string S(string name) => item.TryGetValue(name, out AttributeValue v) ? v.S : null;
            long L(string name) => item.TryGetValue(name, out AttributeValue v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
            DateTime? D(string name) => DateTime.TryParse(S(name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime d) ? d : null;
            return new MigrationStatusRecord
            {
                Entity = entity,
                RunId = S("RunId"),
                State = Enum.TryParse(S("State"), out MigrationState state) ? state : MigrationState.Failed,
                Source = S("Source"),
                SourceCount = L("SourceCount"),
                Written = L("Written"),
                Rejected = L("Rejected"),
                Checkpoint = S("Checkpoint"),
                StartedAt = D("StartedAt") ?? DateTime.MinValue,
                FinishedAt = D("FinishedAt"),
                UpdatedAt = D("UpdatedAt") ?? DateTime.MinValue,
                ItemsPerSecond = item.TryGetValue("ItemsPerSecond", out AttributeValue ips) && double.TryParse(ips.N, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : 0,
                RejectPath = S("RejectPath"),
                Message = S("Message"),
                LastVerifiedAt = D("LastVerifiedAt"),
                LastVerificationPassed = item.TryGetValue("LastVerificationPassed", out AttributeValue ok) ? ok.BOOL : null,
            };
        }

        private static AttributeValue Number(long value) => new AttributeValue { N = value.ToString(CultureInfo.InvariantCulture) };
        internal static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
