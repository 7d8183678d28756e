using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace EcommerceAws.Engine.Migration.Import
{
    /// <summary>
    /// ImportTable's DYNAMODB_JSON input: one <c>{"Item":{…}}</c> per line, every attribute with its type descriptor
    /// (<c>{"S":…}</c>, numbers as text <c>{"N":"12.50"}</c>, <c>{"B":base64}</c>, <c>{"BOOL":…}</c>, <c>{"NULL":true}</c>,
    /// <c>{"L":[…]}</c>, <c>{"M":{…}}</c>, sets). Text stays UTF-8 (only JSON's own escapes), since ImportTable bills the
    /// uncompressed bytes.
    /// </summary>
    internal sealed class DynamoJsonLines
    {
        private static readonly JsonWriterOptions Options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private static readonly byte[] NewLine = { (byte)'\n' };
        private readonly Stream output;
        private readonly Utf8JsonWriter writer;

        public DynamoJsonLines(Stream output)
        {
            this.output = output;
            writer = new Utf8JsonWriter(output, Options);
        }

        /// <summary>Writes one item as one line.</summary>
        public void Write(Dictionary<string, AttributeValue> item)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Item");
            WriteMap(writer, item);
            writer.WriteEndObject();
            writer.Flush();
            writer.Reset(output);
            output.Write(NewLine, 0, 1);
        }

        private static void WriteMap(Utf8JsonWriter json, Dictionary<string, AttributeValue> map)
        {
            json.WriteStartObject();
            foreach (KeyValuePair<string, AttributeValue> pair in map)
            {
                json.WritePropertyName(pair.Key);
                WriteValue(json, pair.Value);
            }
            json.WriteEndObject();
        }

        private static void WriteValue(Utf8JsonWriter json, AttributeValue value)
        {
            json.WriteStartObject();
            if (value.S != null) json.WriteString("S", value.S);
            else if (value.N != null) json.WriteString("N", value.N);
            else if (value.B != null) json.WriteBase64String("B", value.B.ToArray());
            else if (value.BOOL != null) json.WriteBoolean("BOOL", value.BOOL.Value);
            else if (value.NULL == true) json.WriteBoolean("NULL", true);
            else if (value.M != null) { json.WritePropertyName("M"); WriteMap(json, value.M); }
            else if (value.L != null)
            {
                json.WriteStartArray("L");
                foreach (AttributeValue element in value.L) WriteValue(json, element);
                json.WriteEndArray();
            }
            else if (value.SS != null) WriteStrings(json, "SS", value.SS);
            else if (value.NS != null) WriteStrings(json, "NS", value.NS);
            else if (value.BS != null)
            {
                json.WriteStartArray("BS");
                foreach (MemoryStream bytes in value.BS) json.WriteBase64StringValue(bytes.ToArray());
                json.WriteEndArray();
            }
            else
            {
                // The SDK leaves an empty list or map as null collections with the Is…Set flag.
                if (value.IsMSet) { json.WritePropertyName("M"); json.WriteStartObject(); json.WriteEndObject(); }
                else { json.WriteStartArray("L"); json.WriteEndArray(); }
            }
            json.WriteEndObject();
        }

        private static void WriteStrings(Utf8JsonWriter json, string type, List<string> values)
        {
            json.WriteStartArray(type);
            foreach (string text in values) json.WriteStringValue(text);
            json.WriteEndArray();
        }
    }
}
