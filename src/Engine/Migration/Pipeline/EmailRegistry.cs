using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using System.Threading;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Tables;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// DuplicateEmail detection: the first user (in _id order) with an email wins. Emails seen in this run are
    /// kept in memory (one string per user); on a resumed run the table is asked too (GSI1 on EMAIL#&lt;email&gt;).
    /// </summary>
    internal sealed class EmailRegistry
    {
        private const string Prefix = EntityKeys.EmailPrefix;
        private readonly Dictionary<string, string> owners = new Dictionary<string, string>();
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;
        private readonly bool askTable;

        public EmailRegistry(IAmazonDynamoDB dynamo, string tableName, bool askTable)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
            this.askTable = askTable;
        }

        /// <summary>The reject for a duplicate, or null when this user may be written.</summary>
        public async Task<RejectRecord> CheckAsync(MappingResult mapped, CancellationToken cancellation)
        {
            if (!mapped.Item.TryGetValue(EntityKeys.Gsi1PartitionKey, out AttributeValue key) || key.S == null || !key.S.StartsWith(Prefix)) return null;
            if (owners.TryGetValue(key.S, out string owner))
                return owner == mapped.Id ? null : Duplicate(mapped.Id, owner);
            owners[key.S] = mapped.Id;
            if (!askTable) return null;
            string other = await OtherOwnerAsync(dynamo, tableName, key.S, mapped.Id, cancellation).ConfigureAwait(false);
            if (other == null) return null;
            owners[key.S] = other;
            return Duplicate(mapped.Id, other);
        }

        /// <summary>The id of another user stored under this GSI1 e-mail key, or null (the one definition of that look-up).</summary>
        internal static async Task<string> OtherOwnerAsync(IAmazonDynamoDB dynamo, string tableName, string emailKey, string id, CancellationToken cancellation)
        {
            QueryResponse response = await AwsCall.Run(() => dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                IndexName = TableService.IndexName,
                KeyConditionExpression = "GSI1PK = :pk",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new AttributeValue(emailKey) },
                ProjectionExpression = "id",
            }, cancellation), "Query", tableName).ConfigureAwait(false);
            return response.Items?
                .Select(item => item.TryGetValue("id", out AttributeValue other) ? other.S : null)
                .FirstOrDefault(other => other != null && other != id);
        }

        private static RejectRecord Duplicate(string id, string owner) =>
            new RejectRecord(EcommerceEntity.User, id, RejectReason.DuplicateEmail, "email",
                $"another user ({owner}) already has this email (compared trimmed and lower-cased)");
    }
}
