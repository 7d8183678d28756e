using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Migration.Mapping;

namespace EcommerceAws.Engine.Products
{
    /// <summary>Reads products and categories through the table's keys and GSI1, one page at a time.</summary>
    internal sealed class ProductCatalog
    {
        private readonly IAmazonDynamoDB dynamo;
        private readonly string tableName;
        private readonly IOperationContext context;

        public ProductCatalog(IAmazonDynamoDB dynamo, string tableName, IOperationContext context)
        {
            this.dynamo = dynamo;
            this.tableName = tableName;
            this.context = context;
        }

        public async Task<Dictionary<string, AttributeValue>> GetProductAsync(string id)
        {
            GetItemResponse response = await AwsCall.RunOnTable(() => dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName,
                Key = ProductKey(id),
                ConsistentRead = true,
            }, context.Cancellation), "GetItem", id, tableName).ConfigureAwait(false);
            return response.Item != null && response.Item.Count > 0 ? response.Item : null;
        }

        /// <summary>The category names listed under TYPE#category (GSI1), page by page, each name once.</summary>
        public async IAsyncEnumerable<IReadOnlyList<string>> CategoryPagesAsync([EnumeratorCancellation] System.Threading.CancellationToken cancellation = default)
        {
            var seen = new HashSet<string>();
            await foreach (List<Dictionary<string, AttributeValue>> page in QueryPagesAsync(EntityKeys.CategoryTypeKey, EntityKeys.CategorySortPrefix))
            {
                var names = page.Select(item => item.TryGetValue("name", out AttributeValue n) ? n.S : null)
                    .Where(n => !string.IsNullOrEmpty(n) && seen.Add(n)).ToList();
                yield return names;
            }
        }

        /// <summary>The products of one category (GSI1 partition CATEGORY#&lt;category&gt;), page by page, ordered by nameEn.</summary>
        public IAsyncEnumerable<List<Dictionary<string, AttributeValue>>> ProductPagesAsync(string category) =>
            QueryPagesAsync(EntityKeys.ProductsOfCategory(category), EntityKeys.ProductSortPrefix);

        /// <summary>Whether a category item with this name exists (GSI1SK = CATEGORY#&lt;name&gt;).</summary>
        public async Task<bool> CategoryExistsAsync(string name)
        {
            QueryResponse response = await AwsCall.RunOnTable(() => dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                IndexName = EntityKeys.Gsi1IndexName,
                KeyConditionExpression = "GSI1PK = :pk AND GSI1SK = :sk",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":pk"] = new AttributeValue { S = EntityKeys.CategoryTypeKey },
                    [":sk"] = new AttributeValue { S = EntityKeys.CategoryByName(name) },
                },
                Limit = 1,
            }, context.Cancellation), "Query", name, tableName).ConfigureAwait(false);
            return response.Count > 0;
        }

        /// <summary>
        /// TableNotFound now, before anything is recorded elsewhere (Initialize-EcommerceCache binds the Redis prefix to the
        /// table): one Query of at most one item, with the permission reading needs anyway.
        /// </summary>
        public Task EnsureTableAsync() => CategoryExistsAsync(string.Empty);

        private async IAsyncEnumerable<List<Dictionary<string, AttributeValue>>> QueryPagesAsync(string partition, string sortPrefix)
        {
            Dictionary<string, AttributeValue> start = null;
            do
            {
                var request = new QueryRequest
                {
                    TableName = tableName,
                    IndexName = EntityKeys.Gsi1IndexName,
                    KeyConditionExpression = "GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":pk"] = new AttributeValue { S = partition },
                        [":prefix"] = new AttributeValue { S = sortPrefix },
                    },
                    ExclusiveStartKey = start,
                    Limit = PageSize,
                };
                QueryResponse page = await AwsCall.RunOnTable(() => dynamo.QueryAsync(request, context.Cancellation), "Query", partition, tableName).ConfigureAwait(false);
                yield return page.Items ?? new List<Dictionary<string, AttributeValue>>();
                start = page.LastEvaluatedKey != null && page.LastEvaluatedKey.Count > 0 ? page.LastEvaluatedKey : null;
            } while (start != null);
        }

        /// <summary>Items per Query page; small enough to stream, large enough to be cheap.</summary>
        public int PageSize { get; init; } = 100;

        public static Dictionary<string, AttributeValue> ProductKey(string id) => EntityKeys.PrimaryKey(EcommerceEntity.Product, id);
    }
}
