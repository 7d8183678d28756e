using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// The BSON → DynamoDB type rules of docs/DESIGN.md §4. Also measures each value by DynamoDB's item-size rules
    /// so the mapper knows the item size without a second walk. Reject details name the type and path, never the value.
    /// </summary>
    internal static class BsonAttributeConverter
    {
        /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's Date.prototype.toISOString.</summary>
        public const string IsoFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        /// <summary>Converts one value; <paramref name="size"/> is its DynamoDB size in bytes (without the attribute name).</summary>
        internal static AttributeValue Convert(BsonValue value, string path, out int size)
        {
            switch (value.BsonType)
            {
                case BsonType.String:
                    string s = value.AsString;
                    size = Utf8(s);
                    return new AttributeValue { S = s };
                case BsonType.Int32:
                    return Number(value.AsInt32.ToString(CultureInfo.InvariantCulture), path, out size);
                case BsonType.Int64:
                    return Number(value.AsInt64.ToString(CultureInfo.InvariantCulture), path, out size);
                case BsonType.Double:
                    return Number(value.AsDouble.ToString("R", CultureInfo.InvariantCulture), path, out size);
                case BsonType.Decimal128:
                    return Number(value.AsDecimal128.ToString(), path, out size);
                case BsonType.Boolean:
                    size = 1;
                    return new AttributeValue { BOOL = value.AsBoolean };
                case BsonType.Null:
                    size = 1;
                    return new AttributeValue { NULL = true };
                case BsonType.ObjectId:
                    size = 24;
                    return new AttributeValue { S = value.AsObjectId.ToString() };
                case BsonType.DateTime:
                    string iso = IsoDate(value.AsBsonDateTime, path);
                    size = iso.Length;
                    return new AttributeValue { S = iso };
                case BsonType.Binary:
                    byte[] bytes = value.AsBsonBinaryData.Bytes;
                    size = bytes.Length;
                    return new AttributeValue { B = new MemoryStream(bytes, writable: false) };
                case BsonType.Array:
                    return List(value.AsBsonArray, path, out size);
                case BsonType.Document:
                    return Map(value.AsBsonDocument, path, out size);
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

        private static AttributeValue Number(string text, string path, out int size)
        {
            string normalized = NumberText.Normalize(text, out string problem);
            if (normalized == null)
                throw new MappingRejection(RejectReason.InvalidNumber, path, $"Number in field '{path}' {problem}.");
            // DynamoDB: about 1 byte per two significant digits, plus 1.
            size = (NumberText.SignificantDigits(normalized) + 1) / 2 + 1;
            return new AttributeValue { N = normalized };
        }

        private static AttributeValue List(BsonArray array, string path, out int size)
        {
            var list = new List<AttributeValue>(array.Count);
            size = 3; // DynamoDB: 3 bytes per List/Map, plus 1 per element
            for (int i = 0; i < array.Count; i++)
            {
                list.Add(Convert(array[i], path + "." + i.ToString(CultureInfo.InvariantCulture), out int elementSize));
                size += elementSize + 1;
            }
            return new AttributeValue { L = list };
        }

        private static AttributeValue Map(BsonDocument document, string path, out int size)
        {
            var map = new Dictionary<string, AttributeValue>(document.ElementCount);
            size = 3;
            foreach (BsonElement element in document)
            {
                string childPath = path + "." + element.Name;
                map[element.Name] = Convert(element.Value, childPath, out int elementSize);
                size += Utf8(element.Name) + elementSize + 1;
            }
            return new AttributeValue { M = map };
        }

        internal static int Utf8(string s) => System.Text.Encoding.UTF8.GetByteCount(s);
    }
}
