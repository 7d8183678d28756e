using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Sources;
using MongoDB.Bson;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>A mongoexport file read by <see cref="ExtendedJsonFileSource"/> and mapped by <see cref="EntityMapper"/> (docs/DESIGN.md §4).</summary>
    public sealed class ExtendedJsonMappingTests : IDisposable
    {
        private const string Oid = "65f1a2b3c4d5e6f708192a3b";
        private readonly string dir = Path.Combine(Path.GetTempPath(), "ecom-unit-" + Guid.NewGuid().ToString("N"));
        private readonly EntityMapper mapper = new EntityMapper();

        public ExtendedJsonMappingTests() => Directory.CreateDirectory(dir);
        public void Dispose() => Directory.Delete(dir, recursive: true);

        private async Task<List<SourceDocument>> ReadFile(params string[] lines)
        {
            string path = Path.Combine(dir, "export.json");
            File.WriteAllText(path, string.Join("\n", lines) + "\n");
            await using var source = new ExtendedJsonFileSource(path);
            var documents = new List<SourceDocument>();
            await foreach (SourceDocument d in source.ReadAsync(null, CancellationToken.None)) documents.Add(d);
            return documents;
        }

        private async Task<MappingResult> MapLine(EcommerceEntity entity, string line)
        {
            SourceDocument document = Assert.Single(await ReadFile(line));
            Assert.Null(document.Malformed);
            return mapper.Map(entity, document.Document);
        }

        private static string Product(string extra) =>
            "{\"_id\":{\"$oid\":\"" + Oid + "\"},\"nameEn\":\"Penja white pepper 250 g\",\"nameFr\":\"Poivre blanc de Penja 250 g\",\"category\":\"Épicerie\"" + extra + "}";

        [Fact]
        public async Task A_canonical_product_maps_to_the_single_table_item_with_exact_keys_and_xaf_numbers()
        {
            MappingResult r = await MapLine(EcommerceEntity.Product, Product(
                ",\"price\":{\"$numberInt\":\"6500\"},\"oldPrice\":{\"$numberDecimal\":\"7000.50\"},\"soldCount\":{\"$numberLong\":\"9007199254740993\"}" +
                ",\"rating\":{\"$numberDouble\":\"4.25\"},\"currency\":\"XAF\",\"createdAt\":{\"$date\":{\"$numberLong\":\"1705837200000\"}},\"__v\":{\"$numberInt\":\"0\"}"));
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Dictionary<string, AttributeValue> item = r.Item;
            Assert.Equal(Oid, r.Id);
            Assert.Equal("PRODUCT#" + Oid, item["PK"].S);
            Assert.Equal("PRODUCT#" + Oid, item["SK"].S);
            Assert.Equal("CATEGORY#Épicerie", item["GSI1PK"].S);
            Assert.Equal("PRODUCT#Penja white pepper 250 g", item["GSI1SK"].S);
            Assert.Equal(Oid, item["id"].S);
            Assert.Equal("PRODUCT", item["entityType"].S);
            // Both languages kept as text, the French name untouched (accents included).
            Assert.Equal("Penja white pepper 250 g", item["nameEn"].S);
            Assert.Equal("Poivre blanc de Penja 250 g", item["nameFr"].S);
            // XAF amounts: numbers as exact text, a Decimal128 keeps its cents, an Int64 past 2^53 every digit.
            Assert.Equal("6500", item["price"].N);
            Assert.Equal("7000.5", item["oldPrice"].N);
            Assert.Equal("9007199254740993", item["soldCount"].N);
            Assert.Equal("4.25", item["rating"].N);
            Assert.Equal("XAF", item["currency"].S);
            Assert.Equal("2024-01-21T11:40:00.000Z", item["createdAt"].S);
            Assert.False(item.ContainsKey("_id"));
            Assert.False(item.ContainsKey("__v"));
            Assert.Equal(15, item.Count); // 6 written by the mapper + 9 copied fields
        }

        [Fact]
        public async Task Relaxed_and_canonical_forms_of_the_same_document_map_to_the_same_item()
        {
            MappingResult canonical = await MapLine(EcommerceEntity.Product, Product(
                ",\"price\":{\"$numberInt\":\"15000\"},\"stock\":{\"$numberInt\":\"3\"},\"rating\":{\"$numberDouble\":\"4.5\"},\"createdAt\":{\"$date\":{\"$numberLong\":\"1709288130000\"}}"));
            MappingResult relaxed = await MapLine(EcommerceEntity.Product, Product(
                ",\"price\":15000,\"stock\":3,\"rating\":4.5,\"createdAt\":{\"$date\":\"2024-03-01T10:15:30Z\"}"));
            Assert.False(canonical.IsRejected);
            Assert.False(relaxed.IsRejected);
            Assert.Equal("2024-03-01T10:15:30.000Z", canonical.Item["createdAt"].S);
            Assert.Equal(Render(canonical.Item), Render(relaxed.Item));
        }

        [Theory]
        [InlineData("{\"$date\":\"2024-03-01T10:15:30.123+01:00\"}", "2024-03-01T09:15:30.123Z")] // offset → UTC
        [InlineData("{\"$date\":{\"$numberLong\":\"-86400000\"}}", "1969-12-31T00:00:00.000Z")]   // before 1970
        [InlineData("{\"$date\":{\"$numberLong\":\"0\"}}", "1970-01-01T00:00:00.000Z")]
        [InlineData("{\"$date\":\"2024-02-29T23:59:59.999Z\"}", "2024-02-29T23:59:59.999Z")]
        public async Task Dates_become_iso_utc_with_milliseconds(string date, string iso)
        {
            MappingResult r = await MapLine(EcommerceEntity.Order,
                "{\"_id\":{\"$oid\":\"" + Oid + "\"},\"userId\":{\"$oid\":\"65b8e2e0ec0a000000000052\"},\"createdAt\":" + date + "}");
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal(iso, r.Item["createdAt"].S);
            Assert.Equal("ORDER#" + iso, r.Item["GSI1SK"].S);                      // orders of a user sort by date
            Assert.Equal("USER#65b8e2e0ec0a000000000052", r.Item["GSI1PK"].S);     // an ObjectId reference as 24 hex
            Assert.Equal("65b8e2e0ec0a000000000052", r.Item["userId"].S);
        }

        [Fact]
        public async Task Nested_documents_and_arrays_become_maps_and_lists_in_order_with_duplicates()
        {
            MappingResult r = await MapLine(EcommerceEntity.Order,
                "{\"_id\":\"ord-1\",\"userId\":\"u-1\",\"createdAt\":{\"$date\":\"2024-01-01T00:00:00Z\"}," +
                "\"items\":[{\"productId\":{\"$oid\":\"659dcf3cec0a00000000000e\"},\"qty\":{\"$numberInt\":\"3\"},\"unitPrice\":{\"$numberDecimal\":\"365000\"}}," +
                "{\"productId\":{\"$oid\":\"659dcf3cec0a00000000000e\"},\"qty\":1,\"unitPrice\":1200}]," +
                "\"tags\":[\"b\",\"a\",\"b\"],\"shippingAddress\":{\"city\":\"Bamenda\",\"geo\":{\"lat\":5.96,\"lng\":{\"$numberDouble\":\"10.15\"}},\"notes\":null,\"ok\":true}}");
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal("ORDER#ord-1", r.Item["PK"].S);
            Assert.Equal("USER#u-1", r.Item["GSI1PK"].S);
            List<AttributeValue> items = r.Item["items"].L;
            Assert.Equal(2, items.Count);
            Assert.Equal("659dcf3cec0a00000000000e", items[0].M["productId"].S);
            Assert.Equal("3", items[0].M["qty"].N);
            Assert.Equal("365000", items[0].M["unitPrice"].N);
            Assert.Equal("1200", items[1].M["unitPrice"].N);
            Assert.Equal(new[] { "b", "a", "b" }, r.Item["tags"].L.Select(v => v.S));     // a list, never a set
            Assert.Null(r.Item["tags"].SS);
            Dictionary<string, AttributeValue> address = r.Item["shippingAddress"].M;
            Assert.Equal("Bamenda", address["city"].S);
            Assert.Equal("5.96", address["geo"].M["lat"].N);
            Assert.Equal("10.15", address["geo"].M["lng"].N);
            Assert.True(address["notes"].NULL);
            Assert.True(address["ok"].BOOL);
        }

        [Theory]
        [InlineData("{\"$oid\":\"65f1a2b3c4d5e6f708192a3\"}")]          // 23 hex digits
        [InlineData("{\"$oid\":\"zzzzzzzzzzzzzzzzzzzzzzzz\"}")]
        [InlineData("{\"$numberDecimal\":\"15000,50\"}")]
        [InlineData("{\"$numberLong\":\"12abc\"}")]
        [InlineData("{\"$numberInt\":\"99999999999\"}")]                 // over Int32
        [InlineData("{\"$date\":\"yesterday\"}")]
        [InlineData("{\"$date\":{\"$numberLong\":\"soon\"}}")]
        public async Task A_bad_extended_json_value_is_a_malformed_document_and_the_next_line_reads(string value)
        {
            List<SourceDocument> documents = await ReadFile(
                "{\"_id\":1,\"nameEn\":\"a\",\"category\":\"c\"}",
                "{\"_id\":2,\"nameEn\":\"b\",\"category\":\"c\",\"price\":" + value + "}",
                "{\"_id\":3,\"nameEn\":\"c\",\"category\":\"c\"}");
            Assert.Equal(new[] { "1", "2", "3" }, documents.Select(d => d.Position));
            Assert.NotNull(documents[0].Document);
            Assert.Null(documents[1].Document);
            Assert.Contains("document #2", documents[1].Malformed);
            Assert.Contains("line 2", documents[1].Malformed);
            Assert.Equal(3, documents[2].Document["_id"].AsInt32);
        }

        [Fact]
        public async Task A_resumed_read_starts_after_the_checkpoint_ordinal()
        {
            string path = Path.Combine(dir, "resume.json");
            File.WriteAllText(path, "{\"_id\":1}\n{\"_id\":2}\n{\"_id\":3}\n");
            await using var source = new ExtendedJsonFileSource(path);
            var ids = new List<int>();
            await foreach (SourceDocument d in source.ReadAsync("2", CancellationToken.None)) ids.Add(d.Document["_id"].AsInt32);
            Assert.Equal(new[] { 3 }, ids);
        }

        [Theory]
        [InlineData("{\"$numberDouble\":\"NaN\"}", "NaN")]
        [InlineData("{\"$numberDouble\":\"Infinity\"}", "Infinity")]
        [InlineData("{\"$numberDouble\":\"-Infinity\"}", "-Infinity")]
        [InlineData("{\"$numberDecimal\":\"1E+200\"}", "1E+200")]
        [InlineData("{\"$numberDecimal\":\"1234567890123456789012345678901234\"}", null)] // 34 digits: fits
        public async Task Numbers_dynamodb_cannot_hold_are_an_InvalidNumber_reject_naming_the_field(string value, string shown)
        {
            MappingResult r = await MapLine(EcommerceEntity.Product, Product(",\"pricing\":{\"base\":" + value + "}"));
            if (shown == null)
            {
                Assert.False(r.IsRejected, r.Reject?.Detail);
                Assert.Equal("1234567890123456789012345678901234", r.Item["pricing"].M["base"].N);
                return;
            }
            Assert.True(r.IsRejected);
            Assert.Equal(RejectReason.InvalidNumber, r.Reject.Reason);
            Assert.Equal("pricing.base", r.Reject.Field);
            Assert.Equal(Oid, r.Reject.Id);
            Assert.Contains(shown, r.Reject.Detail);
        }

        [Fact]
        public async Task Bson_types_without_a_dynamodb_equivalent_are_UnsupportedBsonType_with_the_path()
        {
            MappingResult regex = await MapLine(EcommerceEntity.Product, Product(",\"meta\":[1,{\"pattern\":{\"$regularExpression\":{\"pattern\":\"^a\",\"options\":\"i\"}}}]"));
            Assert.Equal(RejectReason.UnsupportedBsonType, regex.Reject.Reason);
            Assert.Equal("meta.1.pattern", regex.Reject.Field);
            MappingResult minKey = await MapLine(EcommerceEntity.Product, Product(",\"floor\":{\"$minKey\":1}"));
            Assert.Equal(RejectReason.UnsupportedBsonType, minKey.Reject.Reason);
            Assert.Equal("floor", minKey.Reject.Field);
        }

        [Fact]
        public async Task Binary_becomes_B_with_the_same_bytes()
        {
            MappingResult r = await MapLine(EcommerceEntity.Product, Product(",\"thumb\":{\"$binary\":{\"base64\":\"AQID/w==\",\"subType\":\"00\"}}"));
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal(new byte[] { 1, 2, 3, 255 }, r.Item["thumb"].B.ToArray());
        }

        [Theory]
        [InlineData("{\"_id\":\"p1\",\"category\":\"c\"}", "nameEn")]
        [InlineData("{\"_id\":\"p1\",\"nameEn\":\"\",\"category\":\"c\"}", "nameEn")]
        [InlineData("{\"_id\":\"p1\",\"nameEn\":\"n\",\"category\":null}", "category")]
        [InlineData("{\"_id\":\"p1\",\"nameEn\":\"n\",\"category\":[\"c\"]}", "category")]
        public void A_product_without_the_fields_its_keys_need_is_a_MissingField_reject(string json, string field)
        {
            MappingResult r = mapper.Map(EcommerceEntity.Product, BsonDocument.Parse(json));
            Assert.Equal(RejectReason.MissingField, r.Reject.Reason);
            Assert.Equal(field, r.Reject.Field);
            Assert.Equal("p1", r.Reject.Id);
        }

        [Fact]
        public void A_product_named_only_in_french_is_rejected_since_gsi1sk_sorts_by_the_english_name()
        {
            MappingResult r = mapper.Map(EcommerceEntity.Product, BsonDocument.Parse("{\"_id\":\"p1\",\"nameFr\":\"Pagne wax\",\"category\":\"Mode\"}"));
            Assert.Equal(RejectReason.MissingField, r.Reject.Reason);
            Assert.Equal("nameEn", r.Reject.Field);
        }

        [Theory]
        [InlineData("{\"_id\":{\"$oid\":\"65f1a2b3c4d5e6f708192a3b\"}}", "65f1a2b3c4d5e6f708192a3b")]
        [InlineData("{\"_id\":\"sku-17\"}", "sku-17")]
        [InlineData("{\"_id\":{\"$numberInt\":\"17\"}}", "17")]
        [InlineData("{\"_id\":{\"$numberLong\":\"9007199254740993\"}}", "9007199254740993")]
        [InlineData("{\"_id\":\"\"}", null)]
        [InlineData("{\"_id\":1.5}", null)]
        [InlineData("{\"_id\":{\"a\":1}}", null)]
        [InlineData("{\"name\":\"no id\"}", null)]
        public void Ids_become_key_text_or_an_InvalidId_reject(string json, string id)
        {
            var document = BsonDocument.Parse(json);
            document["name"] = "Électronique";
            MappingResult r = mapper.Map(EcommerceEntity.Category, document);
            if (id == null)
            {
                Assert.Equal(RejectReason.InvalidId, r.Reject.Reason);
                Assert.Equal("_id", r.Reject.Field);
                return;
            }
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal("CATEGORY#" + id, r.Item["PK"].S);
            Assert.Equal("TYPE#category", r.Item["GSI1PK"].S);
            Assert.Equal("CATEGORY#Électronique", r.Item["GSI1SK"].S);
            Assert.Equal("CATEGORY", r.Item["entityType"].S);
        }

        [Fact]
        public void A_user_is_found_by_the_trimmed_lower_cased_email_and_its_hash_is_copied_as_is()
        {
            MappingResult r = mapper.Map(EcommerceEntity.User, BsonDocument.Parse(
                "{\"_id\":{\"$oid\":\"" + Oid + "\"},\"email\":\"  Ngono.Marie@Example.CM \",\"passwordHash\":\"$2b$10$abcdefghijklmnopqrstuv\"}"));
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal("USER#" + Oid, r.Item["PK"].S);
            Assert.Equal("EMAIL#ngono.marie@example.cm", r.Item["GSI1PK"].S);
            Assert.Equal("USER#" + Oid, r.Item["GSI1SK"].S);
            Assert.Equal("  Ngono.Marie@Example.CM ", r.Item["email"].S);                 // the field itself unchanged
            Assert.Equal("$2b$10$abcdefghijklmnopqrstuv", r.Item["passwordHash"].S);

            MappingResult blank = mapper.Map(EcommerceEntity.User, BsonDocument.Parse("{\"_id\":\"u\",\"email\":\"   \"}"));
            Assert.Equal(RejectReason.MissingField, blank.Reject.Reason);
            Assert.Equal("email", blank.Reject.Field);
        }

        [Fact]
        public void Fields_named_like_the_keys_are_overwritten_by_the_mapper_not_copied()
        {
            MappingResult r = mapper.Map(EcommerceEntity.Product, BsonDocument.Parse(
                "{\"_id\":\"p1\",\"nameEn\":\"n\",\"category\":\"c\",\"PK\":\"evil\",\"GSI1PK\":\"evil\",\"id\":\"other\",\"entityType\":\"USER\"}"));
            Assert.False(r.IsRejected, r.Reject?.Detail);
            Assert.Equal("PRODUCT#p1", r.Item["PK"].S);
            Assert.Equal("CATEGORY#c", r.Item["GSI1PK"].S);
            Assert.Equal("p1", r.Item["id"].S);
            Assert.Equal("PRODUCT", r.Item["entityType"].S);
        }

        [Fact]
        public void A_key_over_dynamodbs_limit_is_rejected_under_the_field_the_user_can_fix()
        {
            MappingResult r = mapper.Map(EcommerceEntity.Product, new BsonDocument { ["_id"] = "p1", ["nameEn"] = new string('x', 1100), ["category"] = "c" });
            Assert.Equal(RejectReason.KeyTooLong, r.Reject.Reason);
            Assert.Equal("nameEn", r.Reject.Field);            // GSI1SK comes from nameEn
        }

        [Fact]
        public void Item_size_is_reported_for_cost_and_write_units()
        {
            MappingResult r = mapper.Map(EcommerceEntity.Category, BsonDocument.Parse("{\"_id\":\"c1\",\"name\":\"Mode\"}"));
            // PK+SK "CATEGORY#c1" (2+11 each), GSI1PK "TYPE#category" (6+13), GSI1SK "CATEGORY#Mode" (6+13), id (2+2), entityType (10+8), name (4+4).
            Assert.Equal(13 + 13 + 19 + 19 + 4 + 18 + 8, r.SizeBytes);
        }

        [Fact]
        public void A_parser_message_quoting_long_user_text_is_cut()
        {
            Assert.Equal("Invalid token '…' at 3", ExtendedJsonFileSource.Redact("Invalid token '$2b$10$abcdefghijklmnop' at 3"));
            Assert.Equal("Invalid token 'short' at 3", ExtendedJsonFileSource.Redact("Invalid token 'short' at 3"));
        }

        private static string Render(Dictionary<string, AttributeValue> item) =>
            string.Join(";", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Render(p.Value)));

        private static string Render(AttributeValue v) =>
            v.S != null ? "S:" + v.S : v.N != null ? "N:" + v.N : v.BOOL.HasValue ? "BOOL:" + v.BOOL : v.NULL == true ? "NULL"
            : v.L != null ? "[" + string.Join(",", v.L.Select(Render)) + "]" : v.M != null ? "{" + Render(v.M) + "}" : "?";
    }
}
