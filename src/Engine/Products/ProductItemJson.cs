using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Products
{
    /// <summary>
    /// Items as the app sees them: the plain JSON the DynamoDB DocumentClient returns (what the guide's RedisService
    /// stores), and the EcommerceProduct output built from an item or from that JSON.
    /// </summary>
    internal static class ProductItemJson
    {
        public static string ToJson(Dictionary<string, AttributeValue> item)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer)) WriteMap(writer, item);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        public static string ToJsonArray(IEnumerable<Dictionary<string, AttributeValue>> items)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var item in items) WriteMap(writer, item);
                writer.WriteEndArray();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        public static EcommerceProduct FromItem(Dictionary<string, AttributeValue> item, string tableName) => new EcommerceProduct
        {
            Id = Text(item, "id"),
            NameEn = Text(item, "nameEn"),
            NameFr = Text(item, "nameFr"),
            Price = Number(item, "price"),
            Category = Text(item, "category"),
            Images = Strings(item.TryGetValue("images", out AttributeValue images) ? images : null),
            Description = Text(item, "description"),
            Stock = (long)Math.Truncate(Number(item, "stock")),
            CreatedAt = Text(item, "createdAt"),
            UpdatedAt = Text(item, "updatedAt"),
            TableName = tableName,
        };

        public static EcommerceProduct FromJson(JsonElement json, string tableName) => new EcommerceProduct
        {
            Id = JsonText(json, "id"),
            NameEn = JsonText(json, "nameEn"),
            NameFr = JsonText(json, "nameFr"),
            Price = JsonNumber(json, "price"),
            Category = JsonText(json, "category"),
            Images = json.TryGetProperty("images", out JsonElement images) && images.ValueKind == JsonValueKind.Array
                ? images.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.ToString()).ToArray()
                : Array.Empty<string>(),
            Description = JsonText(json, "description"),
            Stock = (long)Math.Truncate(JsonNumber(json, "stock")),
            CreatedAt = JsonText(json, "createdAt"),
            UpdatedAt = JsonText(json, "updatedAt"),
            TableName = tableName,
            FromCache = true,
        };

        public static string[] Strings(AttributeValue value)
        {
            if (value == null) return Array.Empty<string>();
            if (value.L != null && value.L.Count > 0) return value.L.Select(v => v.S ?? v.N).Where(s => s != null).ToArray();
            if (value.SS != null && value.SS.Count > 0) return value.SS.ToArray();
            if (value.S != null) return new[] { value.S };
            return Array.Empty<string>();
        }

        private static string Text(Dictionary<string, AttributeValue> item, string name) =>
            item.TryGetValue(name, out AttributeValue v) ? v.S ?? v.N : null;

        private static decimal Number(Dictionary<string, AttributeValue> item, string name) =>
            item.TryGetValue(name, out AttributeValue v) && decimal.TryParse(v.N ?? v.S, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) ? d : 0m;

        private static string JsonText(JsonElement json, string name) =>
            json.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;

        private static decimal JsonNumber(JsonElement json, string name) =>
            json.TryGetProperty(name, out JsonElement v) && decimal.TryParse(v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText(),
                NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) ? d : 0m;

        private static void WriteMap(Utf8JsonWriter writer, Dictionary<string, AttributeValue> map)
        {
            writer.WriteStartObject();
            foreach (var (name, value) in map)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }
            writer.WriteEndObject();
        }

        private static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
        {
            if (value.S != null) writer.WriteStringValue(value.S);
            else if (value.N != null) writer.WriteRawValue(value.N);
            else if (value.BOOL != null) writer.WriteBooleanValue(value.BOOL.Value);
            else if (value.M != null) WriteMap(writer, value.M);
            else if (value.L != null)
            {
                writer.WriteStartArray();
                foreach (AttributeValue element in value.L) WriteValue(writer, element);
                writer.WriteEndArray();
            }
            else if (value.SS != null) { writer.WriteStartArray(); foreach (string s in value.SS) writer.WriteStringValue(s); writer.WriteEndArray(); }
            else if (value.NS != null) { writer.WriteStartArray(); foreach (string n in value.NS) writer.WriteRawValue(n); writer.WriteEndArray(); }
            else if (value.B != null) writer.WriteBase64StringValue(value.B.ToArray());
            else writer.WriteNullValue();
        }
    }
}
