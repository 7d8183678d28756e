using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Engine.Items;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// The BSON → DynamoDB type rules of docs/DESIGN.md §4. DynamoDB's own rules (sizes, depth, names, number range) are checked on
    /// the finished item by <see cref="ItemRules"/>. Reject details name the type and path; a number that DynamoDB cannot
    /// hold is shown, unless its path looks like a credential.
    /// </summary>
    internal static class BsonAttributeConverter
    {
        /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's Date.prototype.toISOString.</summary>
        public const string IsoFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        /// <summary>Converts one value; throws <see cref="MappingRejection"/> for a type or number DynamoDB cannot hold.</summary>
        internal static AttributeValue Convert(BsonValue value, string path)
        {
            switch (value.BsonType)
            {
                case BsonType.String:
                    return new AttributeValue { S = value.AsString };
                case BsonType.Int32:
                    return Number(value.AsInt32.ToString(CultureInfo.InvariantCulture), path);
                case BsonType.Int64:
                    return Number(value.AsInt64.ToString(CultureInfo.InvariantCulture), path);
                case BsonType.Double:
                    return Number(value.AsDouble.ToString("R", CultureInfo.InvariantCulture), path);
                case BsonType.Decimal128:
                    return Number(value.AsDecimal128.ToString(), path);
                case BsonType.Boolean:
                    return new AttributeValue { BOOL = value.AsBoolean };
                case BsonType.Null:
                    return new AttributeValue { NULL = true };
                case BsonType.ObjectId:
                    return new AttributeValue { S = value.AsObjectId.ToString() };
                case BsonType.DateTime:
                    return new AttributeValue { S = IsoDate(value.AsBsonDateTime, path) };
                case BsonType.Binary:
                    return new AttributeValue { B = new MemoryStream(value.AsBsonBinaryData.Bytes, writable: false) };
                case BsonType.Array:
                    BsonArray array = value.AsBsonArray;
                    var list = new List<AttributeValue>(array.Count);
                    for (int i = 0; i < array.Count; i++)
                        list.Add(Convert(array[i], path + "." + i.ToString(CultureInfo.InvariantCulture)));
                    return new AttributeValue { L = list };
                case BsonType.Document:
                    BsonDocument document = value.AsBsonDocument;
                    var map = new Dictionary<string, AttributeValue>(document.ElementCount);
                    foreach (BsonElement element in document)
                        map[element.Name] = Convert(element.Value, path + "." + element.Name);
                    return new AttributeValue { M = map };
                default:
                    throw new MappingRejection(RejectReason.UnsupportedBsonType, path,
                        $"Field '{path}' has BSON type {value.BsonType}, which has no DynamoDB equivalent.");
            }
        }

        /// <summary>A DateTime as toISOString text; dates outside years 0001–9999 are rejected.</summary>
        internal static string IsoDate(BsonDateTime date, string path)
        {
            if (!date.IsValidDateTime)
                throw new MappingRejection(RejectReason.UnsupportedBsonType, path,
                    $"Field '{path}' is a date outside the years 0001-9999 ({date.MillisecondsSinceEpoch} ms since 1970).");
            return date.ToUniversalTime().ToString(IsoFormat, CultureInfo.InvariantCulture);
        }

        private static AttributeValue Number(string text, string path)
        {
            string normalized = NumberText.Normalize(text, showValue: !Secrets.IsSecretName(path), out string problem);
            if (normalized == null)
                throw new MappingRejection(RejectReason.InvalidNumber, path, $"The number in '{path}' {problem}.");
            return new AttributeValue { N = normalized };
        }
    }
}
