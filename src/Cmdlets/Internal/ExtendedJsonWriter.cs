using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Writes a PowerShell value (hashtable, PSCustomObject, .NET object) as MongoDB Extended JSON v2 so the engine
    /// parses it like a mongoexport line: [long] → $numberLong, [double] → $numberDouble, [decimal] → $numberDecimal,
    /// [datetime] → $date, [byte[]] → $binary, [regex] → $regularExpression, [scriptblock] → $code.
    /// Objects already in Extended JSON form (@{ '$oid' = '…' }) pass through unchanged.
    /// </summary>
    internal static class ExtendedJsonWriter
    {
        private const int MaxDepth = 100;

        public static string Write(object value)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                WriteValue(writer, value, null, 0);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void WriteValue(Utf8JsonWriter writer, object value, string name, int depth)
        {
            if (depth > MaxDepth) throw new ArgumentException("The input nests deeper than 100 levels.");
            if (value is PSObject pso) value = pso.BaseObject is PSCustomObject ? pso : pso.BaseObject;
            switch (value)
            {
                case null: writer.WriteNullValue(); return;
                case string s: writer.WriteStringValue(s); return;
                case char c: writer.WriteStringValue(c.ToString()); return;
                case bool b: writer.WriteBooleanValue(b); return;
                case int or short or byte or sbyte or ushort:
                    writer.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture)); return;
                case long or uint or ulong:
                    Wrapped(writer, "$numberLong", Convert.ToString(value, CultureInfo.InvariantCulture)); return;
                case double or float:
                    Wrapped(writer, "$numberDouble", Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)); return;
                case decimal m: Wrapped(writer, "$numberDecimal", m.ToString(CultureInfo.InvariantCulture)); return;
                case DateTime dt:
                    // ConvertFrom-Json turns {"$date": "2024-…Z"} into a DateTime: write it back as the string it was.
                    string iso = Iso(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime());
                    if (name == "$date") writer.WriteStringValue(iso); else Wrapped(writer, "$date", iso);
                    return;
                case DateTimeOffset dto:
                    if (name == "$date") writer.WriteStringValue(Iso(dto.UtcDateTime)); else Wrapped(writer, "$date", Iso(dto.UtcDateTime));
                    return;
                case byte[] bytes:
                    writer.WriteStartObject();
                    writer.WriteStartObject("$binary");
                    writer.WriteString("base64", Convert.ToBase64String(bytes));
                    writer.WriteString("subType", "00");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    return;
                case Regex regex:
                    writer.WriteStartObject();
                    writer.WriteStartObject("$regularExpression");
                    writer.WriteString("pattern", regex.ToString());
                    writer.WriteString("options", (regex.Options & RegexOptions.IgnoreCase) != 0 ? "i" : "");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    return;
                case ScriptBlock script: Wrapped(writer, "$code", script.ToString()); return;
                case Guid or Enum: writer.WriteStringValue(value.ToString()); return;
                case IDictionary dictionary:
                    writer.WriteStartObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        string key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture);
                        writer.WritePropertyName(key);
                        WriteValue(writer, entry.Value, key, depth + 1);
                    }
                    writer.WriteEndObject();
                    return;
                case PSObject custom:
                    writer.WriteStartObject();
                    foreach (PSPropertyInfo property in custom.Properties)
                    {
                        writer.WritePropertyName(property.Name);
                        WriteValue(writer, property.Value, property.Name, depth + 1);
                    }
                    writer.WriteEndObject();
                    return;
                case IEnumerable sequence:
                    writer.WriteStartArray();
                    foreach (object element in sequence) WriteValue(writer, element, null, depth + 1);
                    writer.WriteEndArray();
                    return;
                default:
                    if (value.GetType().IsPrimitive) { writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); return; }
                    // Any other .NET object: its public properties, as PowerShell sees them.
                    WriteValue(writer, new PSObjectAsDictionary(PSObject.AsPSObject(value)).ToDictionary(), name, depth + 1);
                    return;
            }
        }

        private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static void Wrapped(Utf8JsonWriter writer, string key, string text)
        {
            writer.WriteStartObject();
            writer.WriteString(key, text);
            writer.WriteEndObject();
        }

        private sealed class PSObjectAsDictionary
        {
            private readonly PSObject source;
            public PSObjectAsDictionary(PSObject source) => this.source = source;

            public IDictionary ToDictionary()
            {
                var map = new System.Collections.Specialized.OrderedDictionary();
                foreach (PSPropertyInfo property in source.Properties)
                {
                    if (!property.IsGettable) continue;
                    object v;
                    try { v = property.Value; } catch (GetValueException) { continue; }
                    map[property.Name] = v;
                }
                return map;
            }
        }
    }
}
