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
        /// <summary>GSI1PK prefix of a user's e-mail look-up.</summary>
        public const string EmailPrefix = "EMAIL#";
        /// <summary>SK of every migration status item.</summary>
        public const string StatusSortKey = "STATUS";

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

        public static string ProductKey(string id) => ItemKey(EcommerceEntity.Product, id);
        public static string UserKey(string id) => ItemKey(EcommerceEntity.User, id);
        public static string OrderKey(string id) => ItemKey(EcommerceEntity.Order, id);
        public static string CategoryKey(string id) => ItemKey(EcommerceEntity.Category, id);

        /// <summary>PK of an entity's migration status item: <c>MIGRATION#PRODUCT</c>, … (SK <see cref="StatusSortKey"/>).</summary>
        public static string StatusKey(EcommerceEntity entity) => "MIGRATION#" + EntityType(entity);

        /// <summary>GSI1PK of products in a category (by the product's <c>category</c> field, the category name).</summary>
        public static string ProductsOfCategory(string category) => CategorySortPrefix + category;
        /// <summary>GSI1SK of a product: sorted by English name.</summary>
        public static string ProductByName(string nameEn) => ProductSortPrefix + nameEn;

        /// <summary>GSI1PK of a user: the e-mail trimmed and lower-cased (what a login lookup queries).</summary>
        public static string UserByEmail(string email) => EmailPrefix + NormalizeEmail(email);
        public static string NormalizeEmail(string email) => email?.Trim().ToLowerInvariant();

        /// <summary>GSI1PK of a user's orders.</summary>
        public static string OrdersOfUser(string userId) => ItemKey(EcommerceEntity.User, userId);
        /// <summary>GSI1SK of an order: its createdAt as ISO-8601 UTC with milliseconds (sorts by date).</summary>
        public static string OrderByDate(string createdAtIso) => ItemKey(EcommerceEntity.Order, createdAtIso);

        /// <summary>GSI1SK of a category (all categories share GSI1PK <see cref="CategoryTypeKey"/>).</summary>
        public static string CategoryByName(string name) => CategorySortPrefix + name;
    }
}
