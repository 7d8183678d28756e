using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Output;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Engine.Migration.Sources;
using MongoDB.Bson;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    public class KeyRegistryTests
    {
        private static RejectRecord Check(KeyRegistry keys, BsonValue id, bool fromFile = true) =>
            keys.Check(EcommerceEntity.Product, id, Migration.Mapping.EntityMapper.IdText(id), fromFile);

        [Fact]
        public void The_first_document_keeps_a_key_later_ones_are_DuplicateKey_naming_it()
        {
            var keys = new KeyRegistry(uniqueSortedIds: false);
            Assert.Null(Check(keys, new BsonInt32(1)));
            RejectRecord reject = Check(keys, new BsonString("1"));
            Assert.Equal(RejectReason.DuplicateKey, reject.Reason);
            Assert.Contains("PRODUCT#1", reject.Detail);
            Assert.Contains("1 (Int32)", reject.Detail);

            var oid = ObjectId.Parse("65f1a2b3c4d5e6f708192a3b");
            Assert.Null(Check(keys, oid));
            Assert.Contains("ObjectId(\"65f1a2b3c4d5e6f708192a3b\")", Check(keys, new BsonString("65f1a2b3c4d5e6f708192a3b")).Detail);
            Assert.Contains("appears again", Check(keys, new BsonInt32(1)).Detail);
            Assert.Null(Check(keys, new BsonString("2")));
            Assert.NotNull(Check(keys, new BsonInt64(2)));
        }

        [Fact]
        public void A_sorted_unique_source_records_only_what_a_later_id_can_collide_with()
        {
            var keys = new KeyRegistry(uniqueSortedIds: true);
            // MongoDB order: numbers, then strings, then ObjectIds.
            Assert.Null(Check(keys, new BsonInt32(7), fromFile: false));
            Assert.Null(Check(keys, new BsonString("65f1a2b3c4d5e6f708192a3b"), fromFile: false));
            Assert.Null(Check(keys, new BsonString("plain-sku"), fromFile: false));
            Assert.Equal(2, keys.Count);
            Assert.NotNull(Check(keys, new BsonString("7"), fromFile: false));
            Assert.NotNull(Check(keys, ObjectId.Parse("65f1a2b3c4d5e6f708192a3b"), fromFile: false));
            for (int i = 0; i < 1000; i++) Assert.Null(Check(keys, ObjectId.GenerateNewId(), fromFile: false));
            Assert.Equal(2, keys.Count); // ObjectIds are last in _id order: nothing after them can collide
        }

        [Fact]
        public void Rebuilt_keys_catch_a_collision_after_a_resume_and_the_table_grows()
        {
            var keys = new KeyRegistry(uniqueSortedIds: false);
            for (int i = 0; i < 20000; i++) keys.Record(new BsonInt32(i));
            Assert.Equal(20000, keys.Count);
            Assert.NotNull(Check(keys, new BsonString("19999")));
            Assert.Null(Check(keys, new BsonString("20000")));
        }
    }

    public class JsonScannerTests
    {
        private static List<JsonDocumentScanner.Piece> Scan(string text)
        {
            var scanner = new JsonDocumentScanner(new StringReader(text));
            var pieces = new List<JsonDocumentScanner.Piece>();
            while (scanner.Next() is JsonDocumentScanner.Piece piece) pieces.Add(piece);
            return pieces;
        }

        [Fact]
        public void A_broken_line_is_one_malformed_piece_and_the_next_line_reads()
        {
            var pieces = Scan("{\"_id\":1}\n{\"_id\":2, \"a\": {\"b\": 1}\n{\"_id\":3}\nnot json\n{\"_id\":4}\n");
            Assert.Equal(5, pieces.Count);
            Assert.Null(pieces[0].Problem);
            Assert.Contains("line 2", pieces[1].Problem);
            Assert.Equal("{\"_id\":3}", pieces[2].Json);
            Assert.Contains("line 4", pieces[3].Problem);
            Assert.Equal("{\"_id\":4}", pieces[4].Json);
        }

        [Fact]
        public void Pretty_printed_and_array_exports_still_read()
        {
            Assert.Equal(2, Scan("[\n{\n \"_id\": 1\n},\n{\n \"_id\": 2\n}\n]").Count(p => p.Problem == null));
            var cut = Scan("{\"_id\":1}\n{\"_id\":2");
            Assert.Contains("cut off", cut[1].Problem);
        }
    }

    public class AttributeComparerTests
    {
        private static AttributeValue S(string s) => new AttributeValue { S = s };
        private static AttributeValue L(params string[] s) => new AttributeValue { L = s.Select(S).ToList() };
        private const string Id = "65f1a2b3c4d5e6f708192a3b";
        private static readonly string Cdn = $"https://d1.cloudfront.net/products/{Id}/{new string('a', 64)}.jpg";

        private static Dictionary<string, AttributeValue> Source() => new Dictionary<string, AttributeValue>
        {
            ["PK"] = S("PRODUCT#" + Id), ["images"] = L("/uploads/a.jpg", "/uploads/b.jpg"), ["price"] = new AttributeValue { N = "15000" },
            ["updatedAt"] = S("2024-01-01T00:00:00.000Z"),
        };

        [Fact]
        public void The_publishers_rewrite_is_accepted_and_nothing_else()
        {
            var stored = Source();
            stored["images"] = L(Cdn, "/uploads/b.jpg");          // one published, one kept (its file was missing)
            stored["imagesOriginal"] = L("/uploads/a.jpg", "/uploads/b.jpg");
            stored["updatedAt"] = S("2026-12-01T10:00:00.000Z");
            Assert.Empty(AttributeComparer.Compare(Id, Source(), stored));

            stored["price"] = new AttributeValue { N = "9000" };
            MigrationMismatch price = Assert.Single(AttributeComparer.Compare(Id, Source(), stored));
            Assert.Equal("price", price.Attribute);
            Assert.Contains("N 15000", price.Problem);
            Assert.Contains("N 9000", price.Problem);
        }

        [Fact]
        public void Without_imagesOriginal_a_changed_image_or_date_is_a_mismatch_showing_both_values()
        {
            var stored = Source();
            stored["images"] = L("/uploads/a.jpg", "/uploads/c.jpg");
            MigrationMismatch m = Assert.Single(AttributeComparer.Compare(Id, Source(), stored));
            Assert.Contains("/uploads/b.jpg", m.Problem);
            Assert.Contains("/uploads/c.jpg", m.Problem);
            var other = Source();
            other["images"] = L($"https://d1.cloudfront.net/products/other/{new string('a', 64)}.jpg", "/uploads/b.jpg");
            other["imagesOriginal"] = L("/uploads/a.jpg", "/uploads/b.jpg");
            Assert.Contains(AttributeComparer.Compare(Id, Source(), other), x => x.Attribute == "images.0"); // another product's URL
        }
    }
}
