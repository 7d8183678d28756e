using System.Collections.Generic;
using Amazon.DynamoDBv2.Model;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>DynamoDB's item size rules: attribute names (UTF-8) plus values; numbers ~1 byte per 2 significant digits + 1; List/Map 3 bytes + 1 per element.</summary>
    internal static class ItemSize
    {
        public static int Of(IReadOnlyDictionary<string, AttributeValue> item)
        {
            int size = 0;
            foreach (KeyValuePair<string, AttributeValue> pair in item)
                size += BsonAttributeConverter.Utf8(pair.Key) + Value(pair.Value);
            return size;
        }

        /// <summary>Write request units one PutItem of this size costs on the table (1 per started KB).</summary>
        public static int WriteUnits(int sizeBytes) => sizeBytes <= 0 ? 1 : (sizeBytes + 1023) / 1024;

        public static int Value(AttributeValue value)
        {
            if (value.S != null) return BsonAttributeConverter.Utf8(value.S);
            if (value.N != null) return (NumberText.SignificantDigits(value.N) + 1) / 2 + 1;
            if (value.B != null) return (int)value.B.Length;
            if (value.BOOL.HasValue || value.NULL.HasValue) return 1;
            if (value.L != null)
            {
                int size = 3;
                foreach (AttributeValue element in value.L) size += Value(element) + 1;
                return size;
            }
            if (value.M != null)
            {
                int size = 3;
                foreach (KeyValuePair<string, AttributeValue> pair in value.M)
                    size += BsonAttributeConverter.Utf8(pair.Key) + Value(pair.Value) + 1;
                return size;
            }
            return 0;
        }
    }
}
