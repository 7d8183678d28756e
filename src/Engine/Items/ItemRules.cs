using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration;

namespace EcommerceAws.Engine.Items
{
    /// <summary>
    /// DynamoDB's documented item rules, checked on an item before any call writes it (migration, New-/Set-EcommerceProduct,
    /// Publish-ProductAsset's rewrite, status items). Pure: no I/O, thread-safe. One reject reason per rule.
    /// <para>The facts (checked 2026-12 against the AWS pages named):</para>
    /// <list type="bullet">
    /// <item>Partition key value 1..2,048 bytes, sort key value 1..1,024 bytes (UTF-8), for the table and for index keys
    ///   ("Service, account, and table quotas in Amazon DynamoDB" / Constraints: "Partition keys and sort keys").
    ///   Empty String/Binary values are not allowed for a key attribute of the table or of an index ("Attribute values").</item>
    /// <item>Attribute names: at least one character and less than 64 KB (naming rules); the AttributeValue reference gives
    ///   Map keys "Maximum length of 65535". We apply 1..65,535 UTF-8 bytes to top-level names and to Map keys alike.</item>
    /// <item>Nested attribute depth: "DynamoDB supports nested attributes up to 32 levels deep" (Constraints). A top-level
    ///   value is level 1, each List/Map adds one: 31 containers around a scalar (32 levels) are accepted, 32 are refused
    ///   (ValidationException "Nesting Levels have exceeded supported limits"; measured against AWS in nubo-db/dynoxide#110
    ///   and ExtendDB/extenddb#123).</item>
    /// <item>Item size ≤ 400 KB = 409,600 bytes, attribute names included ("Items": "includes both attribute name binary
    ///   length (UTF-8 length) and attribute value lengths"). Sizes per "DynamoDB item sizes and formats": String = UTF-8
    ///   bytes; Number ≈ 1 byte per two significant digits + 1; Binary = raw bytes; Null/Boolean = 1; List/Map = 3 bytes
    ///   + 1 byte per element + the elements (Map keys count as names).</item>
    /// <item>Number: up to 38 digits of precision; positive range 1E-130 to 9.9999999999999999999999999999999999999E+125,
    ///   the same negative; zero ("Data types: Number"). DynamoDB answers ValidationException for 39 significant digits and
    ///   for 1E126, and returns numbers as plain decimal text ("1.5E2" comes back "150": ExtendDB/extenddb#7, boto/boto3#4636).</item>
    /// <item>Strings are Unicode with UTF-8 encoding ("Data types: String"): text with an unpaired surrogate has no UTF-8 form.</item>
    /// </list>
    /// moto 5.2.1 enforces only part of this (key sizes; numbers via float, so it takes 1E+126 and 39 digits; item size
    /// 405,000 bytes counting numbers as their text; no depth limit), so these checks are ours, not the stand-in's.
    /// </summary>
    internal sealed class ItemRules
    {
        public const int MaxPartitionKeyBytes = 2048;
        public const int MaxSortKeyBytes = 1024;
        public const int MaxItemBytes = 400 * 1024;
        public const int MaxDepth = 32;
        public const int MaxAttributeNameBytes = 65535;

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

        private readonly (string Name, bool Partition, bool Required)[] keys;

        public ItemRules(params (string Name, bool Partition, bool Required)[] keys) => this.keys = keys;

        /// <summary>The single table: PK (partition) and SK (sort), and GSI1's GSI1PK (partition) and GSI1SK (sort), all strings.</summary>
        public static ItemRules SingleTable { get; } = new ItemRules(
            (EntityKeys.PartitionKey, true, true), (EntityKeys.SortKey, false, true), (EntityKeys.Gsi1PartitionKey, true, false), (EntityKeys.Gsi1SortKey, false, false));

        /// <summary>
        /// Checks a whole item (<paramref name="partial"/> false: the table's keys must be there) or the attributes an update sets
        /// (true). Returns the first broken rule, or OK with the item's size by DynamoDB's rules.
        /// </summary>
        public ItemCheck Check(IReadOnlyDictionary<string, AttributeValue> item, bool partial = false)
        {
            foreach (var (name, partition, required) in keys)
            {
                if (!item.TryGetValue(name, out AttributeValue key))
                {
                    if (required && !partial)
                        return ItemCheck.Broken(RejectReason.InvalidKey, name, $"The key attribute {name} is missing.");
                    continue;
                }
                if (key.S == null)
                    return ItemCheck.Broken(RejectReason.InvalidKey, name, $"The key attribute {name} must be a String (the table defines it so).");
                if (key.S.Length == 0)
                    return ItemCheck.Broken(RejectReason.InvalidKey, name, $"The key attribute {name} is empty; DynamoDB needs at least 1 byte in a key.");
                int bytes;
                try { bytes = StrictUtf8.GetByteCount(key.S); }
                catch (EncoderFallbackException) { return InvalidString(name); }
                int limit = partition ? MaxPartitionKeyBytes : MaxSortKeyBytes;
                if (bytes > limit)
                    return ItemCheck.Broken(RejectReason.KeyTooLong, name,
                        $"{name} would be {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes of UTF-8; DynamoDB allows at most {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes for a {(partition ? "partition" : "sort")} key.");
            }

            var walk = new Walk();
            int size = 0;
            foreach (KeyValuePair<string, AttributeValue> pair in item)
            {
                ItemCheck broken = walk.Name(pair.Key, pair.Key, out int nameBytes);
                if (broken != null) return broken;
                broken = walk.Value(pair.Value, pair.Key, 1, Secrets.IsSecretName(pair.Key), out int valueBytes);
                if (broken != null) return broken;
                size += nameBytes + valueBytes;
            }
            if (size > MaxItemBytes)
                return ItemCheck.Broken(RejectReason.ItemTooLarge, null,
                    $"The item would be {size.ToString("N0", CultureInfo.InvariantCulture)} bytes (attribute names included); DynamoDB allows {MaxItemBytes.ToString("N0", CultureInfo.InvariantCulture)}.", size);
            return ItemCheck.Ok(size);
        }

        /// <summary>Write units one put of an item this size costs on the table (1 per started KB).</summary>
        public static int WriteUnits(int sizeBytes) => sizeBytes <= 0 ? 1 : (sizeBytes + 1023) / 1024;

        /// <summary>UTF-8 length as DynamoDB counts it (lenient: for sizes only, never for a rule).</summary>
        internal static int Utf8(string s) => Encoding.UTF8.GetByteCount(s);

        private static ItemCheck InvalidString(string path) =>
            ItemCheck.Broken(RejectReason.InvalidString, path, $"The text in '{path}' holds an unpaired UTF-16 surrogate, which has no UTF-8 form; DynamoDB stores strings as UTF-8.");

        private sealed class Walk
        {
            public ItemCheck Name(string name, string path, out int bytes)
            {
                bytes = 0;
                if (name.Length == 0)
                    return ItemCheck.Broken(RejectReason.InvalidAttributeName, path, $"'{path}' has an empty attribute name; DynamoDB names need at least one character.");
                try { bytes = StrictUtf8.GetByteCount(name); }
                catch (EncoderFallbackException) { return ItemCheck.Broken(RejectReason.InvalidAttributeName, Shorten(path), "An attribute name holds an unpaired UTF-16 surrogate, which has no UTF-8 form."); }
                if (bytes > MaxAttributeNameBytes)
                    return ItemCheck.Broken(RejectReason.InvalidAttributeName, Shorten(path),
                        $"An attribute name is {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes of UTF-8; DynamoDB allows at most {MaxAttributeNameBytes.ToString("N0", CultureInfo.InvariantCulture)}.");
                return null;
            }

            public ItemCheck Value(AttributeValue value, string path, int depth, bool secret, out int bytes)
            {
                bytes = 0;
                if (depth > MaxDepth)
                    return ItemCheck.Broken(RejectReason.NestingTooDeep, Shorten(path),
                        $"'{Shorten(path)}' is nested {depth} levels deep; DynamoDB supports nested attributes up to {MaxDepth} levels.");
                if (value.S != null)
                {
                    try { bytes = StrictUtf8.GetByteCount(value.S); }
                    catch (EncoderFallbackException) { return InvalidString(Shorten(path)); }
                    return null;
                }
                if (value.N != null) return Number(value.N, path, secret, out bytes);
                if (value.B != null) { bytes = (int)value.B.Length; return null; }
                if (value.BOOL.HasValue || value.NULL.HasValue) { bytes = 1; return null; }
                if (value.L != null && (value.L.Count > 0 || value.IsLSet))
                {
                    bytes = 3;
                    for (int i = 0; i < value.L.Count; i++)
                    {
                        ItemCheck broken = Value(value.L[i], path + "." + i.ToString(CultureInfo.InvariantCulture), depth + 1, secret, out int element);
                        if (broken != null) return broken;
                        bytes += element + 1;
                    }
                    return null;
                }
                if (value.M != null && (value.M.Count > 0 || value.IsMSet))
                {
                    bytes = 3;
                    foreach (KeyValuePair<string, AttributeValue> pair in value.M)
                    {
                        string child = path + "." + pair.Key;
                        ItemCheck broken = Name(pair.Key, child, out int nameBytes);
                        if (broken != null) return broken;
                        broken = Value(pair.Value, child, depth + 1, secret || Secrets.IsSecretName(pair.Key), out int element);
                        if (broken != null) return broken;
                        bytes += nameBytes + element + 1;
                    }
                    return null;
                }
                if (value.SS != null && value.SS.Count > 0) { foreach (string s in value.SS) bytes += Utf8(s); return null; }
                if (value.NS != null && value.NS.Count > 0)
                {
                    foreach (string n in value.NS)
                    {
                        ItemCheck broken = Number(n, path, secret, out int element);
                        if (broken != null) return broken;
                        bytes += element;
                    }
                    return null;
                }
                if (value.BS != null && value.BS.Count > 0) { foreach (var b in value.BS) bytes += (int)b.Length; return null; }
                if (value.IsLSet || value.L != null || value.IsMSet || value.M != null) { bytes = 3; return null; }
                return null;
            }

            private static ItemCheck Number(string text, string path, bool secret, out int bytes)
            {
                bytes = 0;
                string problem = NumberText.Problem(text, showValue: !secret, out NumberText.Parts parts);
                if (problem != null)
                    return ItemCheck.Broken(RejectReason.InvalidNumber, Shorten(path), $"The number in '{Shorten(path)}' {problem}.");
                bytes = NumberText.SizeOf(parts);
                return null;
            }

            private static string Shorten(string path) => path.Length > 200 ? path.Substring(0, 197) + "..." : path;
        }
    }

    /// <summary>The outcome of <see cref="ItemRules.Check"/>: OK with the item's size, or the first broken rule.</summary>
    internal sealed class ItemCheck
    {
        private ItemCheck(int sizeBytes, RejectReason? reason, string field, string detail)
        {
            SizeBytes = sizeBytes;
            Reason = reason;
            Field = field;
            Detail = detail;
        }

        public bool IsOk => Reason == null;
        /// <summary>The item's size by DynamoDB's rules (names + values); for ItemTooLarge the size found, else 0 when broken.</summary>
        public int SizeBytes { get; }
        public RejectReason? Reason { get; }
        /// <summary>The attribute (dotted path for nested values) that breaks the rule, or null for the item as a whole.</summary>
        public string Field { get; }
        public string Detail { get; }

        internal static ItemCheck Ok(int size) => new ItemCheck(size, null, null, null);
        internal static ItemCheck Broken(RejectReason reason, string field, string detail, int size = 0) => new ItemCheck(size, reason, field, detail);
    }
}
