using System;
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
    /// A sync shares one registry between its full load and its change stream (docs/DESIGN.md §5): the stream holds
    /// <see cref="LockAsync"/> across its check, its write and <see cref="Assign"/>, and frees an address its holder gave up.
    /// </summary>
    internal sealed class EmailRegistry
    {
        private const string Prefix = EntityKeys.EmailPrefix;
        private readonly Dictionary<string, string> owners = new Dictionary<string, string>(); // e-mail key → user id; null = known free
        private readonly Dictionary<string, string> emailOf = new Dictionary<string, string>(); // user id → e-mail key
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
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
            using (await LockAsync(cancellation).ConfigureAwait(false))
            {
                if (owners.TryGetValue(key.S, out string owner) && owner != null)
                    return owner == mapped.Id ? null : Duplicate(mapped.Id, owner);
                bool knownFree = owner == null && owners.ContainsKey(key.S);
                Assign(key.S, mapped.Id);
                if (!askTable || knownFree) return null;
                string other = await OtherOwnerAsync(dynamo, tableName, key.S, mapped.Id, cancellation).ConfigureAwait(false);
                if (other == null) return null;
                Assign(key.S, other);
                return Duplicate(mapped.Id, other);
            }
        }

        /// <summary>Serializes a sync's e-mail decisions with the full load's (release the result to unlock).</summary>
        public async Task<IDisposable> LockAsync(CancellationToken cancellation)
        {
            await gate.WaitAsync(cancellation).ConfigureAwait(false);
            return new Release(gate);
        }

        /// <summary>Under <see cref="LockAsync"/>: the user holding this e-mail key other than <paramref name="id"/>, from memory or the table (GSI1); null when free.</summary>
        public async Task<string> OtherHolderAsync(string emailKey, string id, CancellationToken cancellation)
        {
            if (owners.TryGetValue(emailKey, out string owner)) return owner == id ? null : owner;
            string other = await OtherOwnerAsync(dynamo, tableName, emailKey, id, cancellation).ConfigureAwait(false);
            if (other != null) Assign(emailKey, other);
            return other;
        }

        /// <summary>Under <see cref="LockAsync"/>: the e-mail key this user holds as far as this process knows (null when unknown).</summary>
        public string EmailOf(string id) => emailOf.TryGetValue(id, out string key) ? key : null;

        /// <summary>Under <see cref="LockAsync"/>: records <paramref name="id"/> as the holder of <paramref name="emailKey"/>.</summary>
        public void Assign(string emailKey, string id)
        {
            if (emailOf.TryGetValue(id, out string previous) && previous != emailKey && owners.TryGetValue(previous, out string holder) && holder == id)
                owners[previous] = null;
            owners[emailKey] = id;
            emailOf[id] = emailKey;
        }

        /// <summary>Under <see cref="LockAsync"/>: this user holds no e-mail any more (deleted, rejected); its key is free.</summary>
        public void Forget(string id)
        {
            if (!emailOf.Remove(id, out string key)) return;
            if (owners.TryGetValue(key, out string holder) && holder == id) owners[key] = null;
        }

        /// <summary>Under <see cref="LockAsync"/>: the key is free (its holder gave it up), whatever the table's index still says.</summary>
        public void Free(string emailKey)
        {
            if (owners.TryGetValue(emailKey, out string holder) && holder != null) emailOf.Remove(holder);
            owners[emailKey] = null;
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

        internal static RejectRecord Duplicate(string id, string owner) =>
            new RejectRecord(EcommerceEntity.User, id, RejectReason.DuplicateEmail, "email",
                $"another user ({owner}) already has this email (compared trimmed and lower-cased)");

        private sealed class Release : IDisposable
        {
            private SemaphoreSlim semaphore;
            public Release(SemaphoreSlim semaphore) => this.semaphore = semaphore;
            public void Dispose() => Interlocked.Exchange(ref semaphore, null)?.Release();
        }
    }
}
