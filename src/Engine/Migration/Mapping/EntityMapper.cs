using System;
using System.Collections.Generic;
using System.Globalization;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Items;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// Maps one MongoDB document to one single-table item (docs/DESIGN.md §4): the keys (PK, SK, GSI1PK, GSI1SK),
    /// <c>id</c>, <c>entityType</c> and every other field except <c>_id</c> and <c>__v</c>, by the BSON → DynamoDB
    /// type rules; or a reject (MissingField, InvalidId, InvalidNumber, UnsupportedBsonType, and every broken rule of
    /// DynamoDB's that <see cref="ItemRules"/> checks on the finished item: InvalidKey, KeyTooLong, NestingTooDeep,
    /// InvalidAttributeName, InvalidString, ItemTooLarge).
    /// Stateless and thread-safe: the migration, verification, cost estimate and ConvertTo-EcommerceItem share it.
    /// DuplicateEmail needs state across documents, so the engine checks it: after a User maps, the engine compares
    /// <see cref="EntityKeys.Gsi1PartitionKey"/> (the normalized e-mail) with those already seen and rejects repeats;
    /// DuplicateKey likewise (see KeyRegistry).
    /// </summary>
    internal sealed class EntityMapper
    {
        /// <summary>DynamoDB's item size limit (names + values), 400 KB.</summary>
        public const int MaxItemBytes = ItemRules.MaxItemBytes;

        private static readonly HashSet<string> NotCopied = new HashSet<string>(StringComparer.Ordinal) { "_id", "__v" };

        /// <summary>The MongoDB collection an entity comes from by default (categories, products, users, orders).</summary>
        public static string DefaultCollection(EcommerceEntity entity) => EntityKeys.DefaultCollection(entity);

        public MappingResult Map(EcommerceEntity entity, BsonDocument document)
        {
            if (document == null) throw new ArgumentNullException(nameof(document));
            string id = IdText(document);
            if (id == null)
                return Reject(entity, null, RejectReason.InvalidId, "_id",
                    document.Contains("_id")
                        ? $"_id has BSON type {document["_id"].BsonType}; only ObjectId, string and integer ids can form keys."
                        : "The document has no _id.");
            try
            {
                var item = new Dictionary<string, AttributeValue>(document.ElementCount + 6, StringComparer.Ordinal);
                string itemKey = EntityKeys.ItemKey(entity, id);
                (string gsi1pk, string gsi1sk) = IndexKeys(entity, document, id);
                item[EntityKeys.PartitionKey] = new AttributeValue { S = itemKey };
                item[EntityKeys.SortKey] = new AttributeValue { S = itemKey };
                item[EntityKeys.Gsi1PartitionKey] = new AttributeValue { S = gsi1pk };
                item[EntityKeys.Gsi1SortKey] = new AttributeValue { S = gsi1sk };
                item[EntityKeys.IdAttribute] = new AttributeValue { S = id };
                item[EntityKeys.EntityTypeAttribute] = new AttributeValue { S = EntityKeys.EntityType(entity) };

                foreach (BsonElement element in document)
                {
                    if (NotCopied.Contains(element.Name) || Array.IndexOf(EntityKeys.ReservedAttributes, element.Name) >= 0) continue;
                    item[element.Name] = BsonAttributeConverter.Convert(element.Value, element.Name);
                }

                ItemCheck check = ItemRules.SingleTable.Check(item);
                if (!check.IsOk)
                    return Reject(entity, id, check.Reason.Value, SourceField(entity, check.Field), check.Detail);
                return MappingResult.Mapped(item, id, check.SizeBytes);
            }
            catch (MappingRejection rejection)
            {
                return Reject(entity, id, rejection.Reason, rejection.Field, rejection.Message);
            }
        }

        /// <summary>The document field a key attribute is built from (a reject names what the user can fix); other paths as they are.</summary>
        private static string SourceField(EcommerceEntity entity, string attribute) => attribute switch
        {
            EntityKeys.PartitionKey or EntityKeys.SortKey => "_id",
            EntityKeys.Gsi1PartitionKey => entity switch
            {
                EcommerceEntity.Product => "category", EcommerceEntity.User => "email", EcommerceEntity.Order => "userId", _ => attribute,
            },
            EntityKeys.Gsi1SortKey => entity switch
            {
                EcommerceEntity.Product => "nameEn", EcommerceEntity.User => "_id", EcommerceEntity.Order => "createdAt", EcommerceEntity.Category => "name", _ => attribute,
            },
            _ => attribute,
        };

        /// <summary>The _id as key text: ObjectId → 24 hex chars, string as-is, integers as decimal; null when unusable.</summary>
        public static string IdText(BsonDocument document) =>
            document.TryGetValue("_id", out BsonValue value) ? IdText(value) : null;

        /// <summary>An _id value as key text (see <see cref="IdText(BsonDocument)"/>).</summary>
        public static string IdText(BsonValue value)
        {
            if (value == null) return null;
            return value.BsonType switch
            {
                BsonType.ObjectId => value.AsObjectId.ToString(),
                BsonType.String when value.AsString.Length > 0 => value.AsString,
                BsonType.Int32 => value.AsInt32.ToString(CultureInfo.InvariantCulture),
                BsonType.Int64 => value.AsInt64.ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
        }

        private static (string, string) IndexKeys(EcommerceEntity entity, BsonDocument document, string id)
        {
            switch (entity)
            {
                case EcommerceEntity.Product:
                    string category = KeyField(document, "category");
                    string nameEn = KeyField(document, "nameEn");
                    return (EntityKeys.ProductsOfCategory(category), EntityKeys.ProductByName(nameEn));
                case EcommerceEntity.User:
                    string email = KeyField(document, "email");
                    if (EntityKeys.NormalizeEmail(email).Length == 0)
                        throw new MappingRejection(RejectReason.MissingField, "email", "Field 'email' is blank; a user's GSI1PK needs it.");
                    return (EntityKeys.UserByEmail(email), EntityKeys.UserKey(id));
                case EcommerceEntity.Order:
                    string userId = KeyField(document, "userId");
                    string createdAt = KeyField(document, "createdAt");
                    return (EntityKeys.OrdersOfUser(userId), EntityKeys.OrderByDate(createdAt));
                case EcommerceEntity.Category:
                    string name = KeyField(document, "name");
                    return (EntityKeys.CategoryTypeKey, EntityKeys.CategoryByName(name));
                default:
                    throw new ArgumentOutOfRangeException(nameof(entity), entity, null);
            }
        }

        /// <summary>A field a key is built from, as text: non-empty string, ObjectId (hex), date (ISO) or integer.</summary>
        private static string KeyField(BsonDocument document, string field)
        {
            if (!document.TryGetValue(field, out BsonValue value) || value.IsBsonNull)
                throw new MappingRejection(RejectReason.MissingField, field, $"Field '{field}' is missing; the item's keys need it.");
            switch (value.BsonType)
            {
                case BsonType.String when value.AsString.Length > 0: return value.AsString;
                case BsonType.String:
                    throw new MappingRejection(RejectReason.MissingField, field, $"Field '{field}' is empty; the item's keys need it.");
                case BsonType.ObjectId: return value.AsObjectId.ToString();
                case BsonType.DateTime: return BsonAttributeConverter.IsoDate(value.AsBsonDateTime, field);
                case BsonType.Int32: return value.AsInt32.ToString(CultureInfo.InvariantCulture);
                case BsonType.Int64: return value.AsInt64.ToString(CultureInfo.InvariantCulture);
                default:
                    throw new MappingRejection(RejectReason.MissingField, field,
                        $"Field '{field}' has BSON type {value.BsonType}; a key needs a string, ObjectId, date or integer.");
            }
        }

        private static MappingResult Reject(EcommerceEntity entity, string id, RejectReason reason, string field, string detail) =>
            MappingResult.Rejected(new RejectRecord(entity, id, reason, field, detail));
    }
}
