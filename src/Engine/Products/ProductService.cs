using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Cache;
using EcommerceAws.Output;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Products
{
    /// <summary>
    /// The guide's ProductModel for runbooks: reads through the Redis cache (1 hour per product, 30 minutes per
    /// list), writes conditionally, and invalidates the product key and both list keys the guide forgets.
    /// </summary>
    public sealed class ProductService
    {
        public async Task GetAsync(string tableName, ProductSelection selection, string[] values, CacheTarget cacheTarget, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            var catalog = new ProductCatalog(dynamo, tableName, context);
            using ProductCache cache = await ProductCache.OpenSoftAsync(cacheTarget, tableName, context).ConfigureAwait(false);
            var reader = new CachedProductReader(catalog, cache, tableName, context);
            switch (selection)
            {
                case ProductSelection.Id:
                    foreach (string id in values) await reader.ById(id).ConfigureAwait(false);
                    break;
                case ProductSelection.Category:
                    foreach (string category in values)
                    {
                        long before = reader.Written;
                        await reader.ByCategory(category, null).ConfigureAwait(false);
                        if (reader.Written == before) await reader.ByCategoryIgnoringCase(category).ConfigureAwait(false);
                    }
                    break;
                default:
                    await reader.All().ConfigureAwait(false);
                    break;
            }
        }

        public async Task<EcommerceProduct> CreateAsync(string tableName, ProductFields fields, CacheTarget cacheTarget, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            ProductValidation.Fields(fields, creating: true);
            // The cache is opened (and its table checked) before the write, so a refusal changes nothing.
            using ProductCache cache = await ProductCache.OpenSoftAsync(cacheTarget, tableName, context).ConfigureAwait(false);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            // ObjectId: 4-byte seconds + random + counter — sortable by creation, unique across processes, and the same shape as migrated ids.
            string id = ObjectId.GenerateNewId().ToString();
            string now = Timestamp();
            var item = new Dictionary<string, AttributeValue>(ProductCatalog.ProductKey(id))
            {
                [EntityKeys.Gsi1PartitionKey] = S(EntityKeys.ProductsOfCategory(fields.Category)),
                [EntityKeys.Gsi1SortKey] = S(EntityKeys.ProductByName(fields.NameEn)),
                ["id"] = S(id),
                ["entityType"] = S(EntityKeys.EntityType(EcommerceEntity.Product)),
                ["createdAt"] = S(now),
                ["updatedAt"] = S(now),
            };
            foreach (var (name, value) in FieldValues(fields with { Stock = fields.Stock ?? 0, Price = fields.Price ?? 0m, Images = fields.Images ?? Array.Empty<string>() }))
                item[name] = value;
            // DynamoDB's rules, for the product and for the category item it may add, before any call.
            CheckItem(item, partial: false, id);
            CheckItem(CategoryItem(ObjectId.Empty.ToString(), fields.Category), partial: false, fields.Category, categoryItem: true);

            await AwsCall.RunOnTable(() => dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(PK)",
            }, context.Cancellation), "PutItem", id, tableName).ConfigureAwait(false);
            context.WriteVerbose($"Created product {id} in '{tableName}'.");
            await EnsureCategoryAsync(dynamo, tableName, fields.Category, context).ConfigureAwait(false);

            if (cache != null) await cache.InvalidateAsync(new[] { cache.Keys.Product(id), cache.Keys.Category(fields.Category), cache.Keys.All }).ConfigureAwait(false);
            return ProductItemJson.FromItem(item, tableName);
        }

        public async Task<EcommerceProduct> UpdateAsync(string tableName, string id, ProductFields changes, CacheTarget cacheTarget, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            ProductValidation.Id(id);
            ProductValidation.Fields(changes, creating: false);
            using ProductCache cache = await ProductCache.OpenSoftAsync(cacheTarget, tableName, context).ConfigureAwait(false);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);

            var sets = new Dictionary<string, AttributeValue>(FieldValues(changes)) { ["updatedAt"] = S(Timestamp()) };
            if (changes.Category != null) sets[EntityKeys.Gsi1PartitionKey] = S(EntityKeys.ProductsOfCategory(changes.Category));
            if (changes.NameEn != null) sets[EntityKeys.Gsi1SortKey] = S(EntityKeys.ProductByName(changes.NameEn));
            CheckItem(sets, partial: true, id);
            if (changes.Category != null) CheckItem(CategoryItem(ObjectId.Empty.ToString(), changes.Category), partial: false, changes.Category, categoryItem: true);
            var names = new Dictionary<string, string>();
            var values = new Dictionary<string, AttributeValue>();
            var assignments = new List<string>();
            int n = 0;
            foreach (var (name, value) in sets)
            {
                names["#f" + n] = name;
                values[":v" + n] = value;
                assignments.Add($"#f{n} = :v{n}");
                n++;
            }

            UpdateItemResponse response;
            try
            {
                response = await AwsCall.RunOnTable(() => dynamo.UpdateItemAsync(new UpdateItemRequest
                {
                    TableName = tableName,
                    Key = ProductCatalog.ProductKey(id),
                    UpdateExpression = "SET " + string.Join(", ", assignments),
                    ConditionExpression = "attribute_exists(PK)",   // an update never creates a product
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                    ReturnValues = ReturnValue.ALL_OLD,
                }, context.Cancellation), "UpdateItem", id, tableName).ConfigureAwait(false);
            }
            catch (EcommerceException ex) when (ex.ErrorId == "Aws.ConditionalCheckFailedException")
            {
                throw NotFound(id, tableName);
            }

            Dictionary<string, AttributeValue> old = response.Attributes ?? new Dictionary<string, AttributeValue>();
            var updated = new Dictionary<string, AttributeValue>(old);
            foreach (var (name, value) in sets) updated[name] = value;
            string oldCategory = ProductItemJson.FromItem(old, tableName).Category;
            context.WriteVerbose($"Updated product {id}: {string.Join(", ", sets.Keys.Where(k => !k.StartsWith("GSI", StringComparison.Ordinal)))}.");
            if (changes.Category != null && changes.Category != oldCategory)
                await EnsureCategoryAsync(dynamo, tableName, changes.Category, context).ConfigureAwait(false);

            if (cache != null)
                await cache.InvalidateAsync(new[] { cache.Keys.Product(id), Category(cache, oldCategory), Category(cache, changes.Category), cache.Keys.All }).ConfigureAwait(false);
            return ProductItemJson.FromItem(updated, tableName);
        }

        public async Task<EcommerceProduct> RemoveAsync(string tableName, string id, CacheTarget cacheTarget, IOperationContext context)
        {
            InputValidation.TableName(tableName);
            ProductValidation.Id(id);
            using ProductCache cache = await ProductCache.OpenSoftAsync(cacheTarget, tableName, context).ConfigureAwait(false);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            DeleteItemResponse response;
            try
            {
                response = await AwsCall.RunOnTable(() => dynamo.DeleteItemAsync(new DeleteItemRequest
                {
                    TableName = tableName,
                    Key = ProductCatalog.ProductKey(id),
                    ConditionExpression = "attribute_exists(PK)",
                    ReturnValues = ReturnValue.ALL_OLD,
                }, context.Cancellation), "DeleteItem", id, tableName).ConfigureAwait(false);
            }
            catch (EcommerceException ex) when (ex.ErrorId == "Aws.ConditionalCheckFailedException")
            {
                throw NotFound(id, tableName);
            }
            EcommerceProduct removed = ProductItemJson.FromItem(response.Attributes ?? new Dictionary<string, AttributeValue>(), tableName);
            context.WriteVerbose($"Deleted product {id} from '{tableName}'.");
            if (cache != null)
                await cache.InvalidateAsync(new[] { cache.Keys.Product(id), Category(cache, removed.Category), cache.Keys.All }).ConfigureAwait(false);
            return removed;
        }

        internal static EcommerceException NotFound(string id, string tableName) =>
            new EcommerceException("ProductNotFound", ErrorCategory.ObjectNotFound, id,
                $"Product '{id}' does not exist in table '{tableName}'; nothing was changed.",
                "Check the id with Get-EcommerceProduct -All, or create the product with New-EcommerceProduct.");

        /// <summary>Lists the category under TYPE#category so Get-EcommerceProduct -All and the app's category list find it.</summary>
        private static async Task EnsureCategoryAsync(IAmazonDynamoDB dynamo, string tableName, string category, IOperationContext context)
        {
            if (await new ProductCatalog(dynamo, tableName, context).CategoryExistsAsync(category).ConfigureAwait(false)) return;
            string id = ObjectId.GenerateNewId().ToString();
            await AwsCall.RunOnTable(() => dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = CategoryItem(id, category),
                ConditionExpression = "attribute_not_exists(PK)",
            }, context.Cancellation), "PutItem", category, tableName).ConfigureAwait(false);
            context.WriteVerbose($"Added category '{category}' (id {id}) to the category list.");
        }

        private static Dictionary<string, AttributeValue> CategoryItem(string id, string category) =>
            new Dictionary<string, AttributeValue>(EntityKeys.PrimaryKey(EcommerceEntity.Category, id))
            {
                [EntityKeys.Gsi1PartitionKey] = S(EntityKeys.CategoryTypeKey),
                [EntityKeys.Gsi1SortKey] = S(EntityKeys.CategoryByName(category)),
                ["id"] = S(id),
                ["entityType"] = S(EntityKeys.EntityType(EcommerceEntity.Category)),
                ["name"] = S(category),
                ["createdAt"] = S(Timestamp()),
            };

        /// <summary>
        /// The item rules (<see cref="ItemRules"/>) on what a write would store; a broken rule is an InvalidArgument error named after
        /// the rule (KeyTooLong, ItemTooLarge, InvalidNumber, …) before any AWS call.
        /// </summary>
        private static void CheckItem(IReadOnlyDictionary<string, AttributeValue> item, bool partial, string target, bool categoryItem = false)
        {
            ItemCheck check = ItemRules.SingleTable.Check(item, partial);
            if (check.IsOk) return;
            string parameter = check.Field switch
            {
                "GSI1SK" when categoryItem => "-Category (the category list item's GSI1SK = CATEGORY#<category>)",
                "GSI1SK" => "-NameEn (GSI1SK = PRODUCT#<nameEn>)",
                "GSI1PK" => "-Category (GSI1PK = CATEGORY#<category>)",
                "PK" or "SK" => "the id",
                null => "the fields (-Description, -Images, …)",
                _ => check.Field,
            };
            throw new EcommerceException(check.Reason.ToString(), ErrorCategory.InvalidArgument, target,
                $"The product cannot be stored: {check.Detail} Nothing was written.",
                $"Shorten or fix {parameter} so the item fits DynamoDB's rules (README: Reject reasons).");
        }

        private static IEnumerable<KeyValuePair<string, AttributeValue>> FieldValues(ProductFields fields)
        {
            if (fields.NameEn != null) yield return new("nameEn", S(fields.NameEn));
            if (fields.NameFr != null) yield return new("nameFr", S(fields.NameFr));
            if (fields.Price is decimal price) yield return new("price", new AttributeValue { N = price.ToString(CultureInfo.InvariantCulture) });
            if (fields.Category != null) yield return new("category", S(fields.Category));
            if (fields.Images != null) yield return new("images", new AttributeValue { L = fields.Images.Select(S).ToList() });
            if (fields.Description != null) yield return new("description", S(fields.Description));
            if (fields.Stock is long stock) yield return new("stock", new AttributeValue { N = stock.ToString(CultureInfo.InvariantCulture) });
        }

        private static string Category(ProductCache cache, string category) => string.IsNullOrEmpty(category) ? null : cache.Keys.Category(category);

        internal static AttributeValue S(string text) => new AttributeValue { S = text };

        /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's toISOString and the migration write dates.</summary>
        internal static string Timestamp() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
