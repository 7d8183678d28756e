using System;
using System.Collections.Generic;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// The single table's key formats (docs/DESIGN.md §4) — the one definition the mapper, the migration engine,
    /// verification and the product cmdlets share.
    /// </summary>
    internal static class EntityKeys
    {
        public const string PartitionKey = "PK";
        public const string SortKey = "SK";
        public const string Gsi1PartitionKey = "GSI1PK";
        public const string Gsi1SortKey = "GSI1SK";
        public const string Gsi1IndexName = "GSI1";
        public const string IdAttribute = "id";
        public const string EntityTypeAttribute = "entityType";
        public const string CategoryTypeKey = "TYPE#category";
        /// <summary>GSI1SK prefix of products in a category partition (begins_with in a Query).</summary>
        public const string ProductSortPrefix = "PRODUCT#";
        /// <summary>GSI1SK prefix of categories in the <see cref="CategoryTypeKey"/> partition.</summary>
        public const string CategorySortPrefix = "CATEGORY#";

        /// <summary>Attributes the mapper writes itself; a document field with one of these names is overwritten.</summary>
        public static readonly string[] ReservedAttributes =
            { PartitionKey, SortKey, Gsi1PartitionKey, Gsi1SortKey, IdAttribute, EntityTypeAttribute };

        /// <summary>PRODUCT, USER, ORDER, CATEGORY: the entityType attribute and the key prefix.</summary>
        public static string EntityType(EcommerceEntity entity) => entity switch
        {
            EcommerceEntity.Product => "PRODUCT",
            EcommerceEntity.User => "USER",
            EcommerceEntity.Order => "ORDER",
            EcommerceEntity.Category => "CATEGORY",
            _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, null),
        };

        /// <summary>The MongoDB collection an entity comes from by default: categories, products, users, orders.</summary>
        public static string DefaultCollection(EcommerceEntity entity) => entity switch
        {
            EcommerceEntity.Product => "products",
            EcommerceEntity.User => "users",
            EcommerceEntity.Order => "orders",
            EcommerceEntity.Category => "categories",
            _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, null),
        };

        /// <summary>PK (= SK) of an entity's item: <c>PRODUCT#&lt;id&gt;</c>, <c>USER#&lt;id&gt;</c>, ...</summary>
        public static string ItemKey(EcommerceEntity entity, string id) => EntityType(entity) + "#" + id;

        /// <summary>The primary key (PK and SK) of an entity's item, as GetItem/UpdateItem/DeleteItem take it.</summary>
        public static Dictionary<string, AttributeValue> PrimaryKey(EcommerceEntity entity, string id) =>
            new Dictionary<string, AttributeValue>
            {
                [PartitionKey] = new AttributeValue { S = ItemKey(entity, id) },
                [SortKey] = new AttributeValue { S = ItemKey(entity, id) },
            };

        public static string ProductKey(string id) => "PRODUCT#" + id;
        public static string UserKey(string id) => "USER#" + id;
        public static string OrderKey(string id) => "ORDER#" + id;
        public static string CategoryKey(string id) => "CATEGORY#" + id;

        /// <summary>GSI1PK of products in a category (by the product's <c>category</c> field, the category name).</summary>
        public static string ProductsOfCategory(string category) => "CATEGORY#" + category;
        /// <summary>GSI1SK of a product: sorted by English name.</summary>
        public static string ProductByName(string nameEn) => ProductSortPrefix + nameEn;

        /// <summary>GSI1PK of a user: the e-mail trimmed and lower-cased (what a login lookup queries).</summary>
        public static string UserByEmail(string email) => "EMAIL#" + NormalizeEmail(email);
        public static string NormalizeEmail(string email) => email?.Trim().ToLowerInvariant();

        /// <summary>GSI1PK of a user's orders.</summary>
        public static string OrdersOfUser(string userId) => "USER#" + userId;
        /// <summary>GSI1SK of an order: its createdAt as ISO-8601 UTC with milliseconds (sorts by date).</summary>
        public static string OrderByDate(string createdAtIso) => "ORDER#" + createdAtIso;

        /// <summary>GSI1SK of a category (all categories share GSI1PK <see cref="CategoryTypeKey"/>).</summary>
        public static string CategoryByName(string name) => CategorySortPrefix + name;
    }
}
