using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>DynamoDB's item rules at their boundaries (ItemRules' comment gives the sources).</summary>
    public class ItemRulesTests
    {
        private static AttributeValue S(string s) => new AttributeValue { S = s };

        private static Dictionary<string, AttributeValue> Item(params (string Name, AttributeValue Value)[] extra)
        {
            var item = new Dictionary<string, AttributeValue> { ["PK"] = S("PRODUCT#1"), ["SK"] = S("PRODUCT#1"), ["GSI1PK"] = S("CATEGORY#c"), ["GSI1SK"] = S("PRODUCT#n") };
            foreach (var (name, value) in extra) item[name] = value;
            return item;
        }

        /// <summary>Text of exactly <paramref name="bytes"/> UTF-8 bytes made of 2-byte 'é' (plus one 'a' when odd).</summary>
        private static string Utf8Text(int bytes) => new string('é', bytes / 2) + (bytes % 2 == 1 ? "a" : "");

        [Theory]
        [InlineData("GSI1SK", 1024, true)]
        [InlineData("GSI1SK", 1025, false)]
        [InlineData("SK", 1024, true)]
        [InlineData("SK", 1025, false)]
        [InlineData("PK", 2048, true)]
        [InlineData("PK", 2049, false)]
        [InlineData("GSI1PK", 2048, true)]
        [InlineData("GSI1PK", 2049, false)]
        public void Key_lengths_count_utf8_bytes(string key, int bytes, bool ok)
        {
            string text = Utf8Text(bytes);
            Assert.Equal(bytes, System.Text.Encoding.UTF8.GetByteCount(text));
            Assert.True(text.Length < bytes || bytes % 2 == 1); // multi-byte characters: fewer chars than bytes
            ItemCheck check = ItemRules.SingleTable.Check(Item((key, S(text))));
            Assert.Equal(ok, check.IsOk);
            if (!ok)
            {
                Assert.Equal(RejectReason.KeyTooLong, check.Reason);
                Assert.Equal(key, check.Field);
                Assert.Contains(bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), check.Detail);
            }
        }

        [Fact]
        public void Key_attributes_are_non_empty_strings_and_the_table_keys_are_required()
        {
            Assert.Equal(RejectReason.InvalidKey, ItemRules.SingleTable.Check(Item(("GSI1SK", S("")))).Reason);
            Assert.Equal(RejectReason.InvalidKey, ItemRules.SingleTable.Check(Item(("GSI1PK", new AttributeValue { N = "1" }))).Reason);
            var noSk = Item();
            noSk.Remove("SK");
            Assert.Equal(RejectReason.InvalidKey, ItemRules.SingleTable.Check(noSk).Reason);
            Assert.True(ItemRules.SingleTable.Check(noSk, partial: true).IsOk);
            var sparse = Item();
            sparse.Remove("GSI1PK");
            sparse.Remove("GSI1SK");
            Assert.True(ItemRules.SingleTable.Check(sparse).IsOk); // not in GSI1: allowed
        }

        private static AttributeValue Nest(int containers)
        {
            AttributeValue value = S("leaf");
            for (int i = 0; i < containers; i++)
                value = i % 2 == 0 ? new AttributeValue { M = new Dictionary<string, AttributeValue> { ["m"] = value } } : new AttributeValue { L = new List<AttributeValue> { value } };
            return value;
        }

        [Fact]
        public void Nesting_depth_32_levels_is_accepted_33_refused()
        {
            // A top-level value is level 1: 31 containers around a scalar are 32 levels.
            Assert.True(ItemRules.SingleTable.Check(Item(("deep", Nest(31)))).IsOk);
            ItemCheck check = ItemRules.SingleTable.Check(Item(("deep", Nest(32))));
            Assert.Equal(RejectReason.NestingTooDeep, check.Reason);
            Assert.StartsWith("deep.", check.Field);
            Assert.Contains("33 levels", check.Detail);
            // An empty container counts as a level too.
            AttributeValue emptyAt33 = new AttributeValue { M = new Dictionary<string, AttributeValue>() };
            for (int i = 0; i < 32; i++) emptyAt33 = new AttributeValue { L = new List<AttributeValue> { emptyAt33 } };
            Assert.Equal(RejectReason.NestingTooDeep, ItemRules.SingleTable.Check(Item(("deep", emptyAt33))).Reason);
        }

        [Theory]
        [InlineData("12345678901234567890123456789012345678", true)]            // 38 digits
        [InlineData("123456789012345678901234567890123456789", false)]          // 39 digits
        [InlineData("1.2345678901234567890123456789012345678E+50", true)]       // 38 significant digits, large
        [InlineData("100000000000000000000000000000000000000000", true)]       // 42 characters, 1 significant digit
        [InlineData("1E-130", true)]
        [InlineData("1E-131", false)]
        [InlineData("-1E-130", true)]
        [InlineData("9.9999999999999999999999999999999999999E+125", true)]
        [InlineData("1E+126", false)]
        [InlineData("-9.9999999999999999999999999999999999999E+125", true)]
        [InlineData("-1E+126", false)]
        [InlineData("1E+40", true)]                                            // refused before this change (>= 1E38)
        [InlineData("0.000", true)]
        [InlineData("NaN", false)]
        [InlineData("Infinity", false)]
        [InlineData("12abc", false)]
        public void Numbers_follow_dynamodb_precision_and_range(string text, bool ok)
        {
            ItemCheck check = ItemRules.SingleTable.Check(Item(("n", new AttributeValue { N = text })));
            Assert.Equal(ok, check.IsOk);
            if (!ok)
            {
                Assert.Equal(RejectReason.InvalidNumber, check.Reason);
                Assert.Contains(text, check.Detail); // the value is in the reason
            }
        }

        [Fact]
        public void Number_values_under_secret_names_are_not_shown()
        {
            ItemCheck check = ItemRules.SingleTable.Check(Item(("pinHash", new AttributeValue { N = "1E+200" })));
            Assert.Equal(RejectReason.InvalidNumber, check.Reason);
            Assert.DoesNotContain("1E+200", check.Detail);
        }

        [Fact]
        public void Normalize_returns_the_plain_text_dynamodb_returns()
        {
            Assert.Equal("150", NumberText.Normalize("1.5E2", out _));
            Assert.Equal("1" + new string('0', 125), NumberText.Normalize("1E+125", out _));
            Assert.Equal("0." + new string('0', 129) + "1", NumberText.Normalize("1E-130", out _));
            Assert.Equal("-12500.5", NumberText.Normalize("-12500.50", out _));
            Assert.Equal("0", NumberText.Normalize("-0.0", out _));
            Assert.Null(NumberText.Normalize("1E+126", out string problem));
            Assert.Contains("1E+126", problem);
            Assert.Contains("overflow", problem);
            Assert.Null(NumberText.Normalize("1E-131", out problem));
            Assert.Contains("underflow", problem);
            Assert.True(NumberText.SameNumber("150", "1.5E2"));
            Assert.True(NumberText.SameNumber("1" + new string('0', 40), "1E+40"));
            Assert.False(NumberText.SameNumber("150", "151"));
        }

        [Theory]
        [InlineData(65535, true)]
        [InlineData(65536, false)]
        public void Attribute_names_are_at_most_65535_bytes(int bytes, bool ok)
        {
            string name = Utf8Text(bytes);
            Assert.Equal(ok, ItemRules.SingleTable.Check(Item((name, S("v")))).IsOk);
            var nested = new AttributeValue { M = new Dictionary<string, AttributeValue> { [name] = S("v") } };
            ItemCheck check = ItemRules.SingleTable.Check(Item(("map", nested)));
            Assert.Equal(ok, check.IsOk);
            if (!ok) Assert.Equal(RejectReason.InvalidAttributeName, check.Reason);
        }

        [Fact]
        public void Empty_attribute_names_are_refused_at_any_level()
        {
            Assert.Equal(RejectReason.InvalidAttributeName, ItemRules.SingleTable.Check(Item(("", S("v")))).Reason);
            var nested = new AttributeValue { M = new Dictionary<string, AttributeValue> { [""] = S("v") } };
            ItemCheck check = ItemRules.SingleTable.Check(Item(("meta", nested)));
            Assert.Equal(RejectReason.InvalidAttributeName, check.Reason);
            Assert.Equal("meta.", check.Field);
        }

        [Fact]
        public void Item_size_counts_names_and_values_and_stops_at_400_KB()
        {
            var item = Item();
            int keys = item.Sum(p => p.Key.Length + p.Value.S.Length); // ASCII
            int room = ItemRules.MaxItemBytes - keys - "d".Length;
            ItemCheck fits = ItemRules.SingleTable.Check(Item(("d", S(Utf8Text(room)))));
            Assert.True(fits.IsOk);
            Assert.Equal(409600, fits.SizeBytes);
            ItemCheck over = ItemRules.SingleTable.Check(Item(("d", S(Utf8Text(room + 1)))));
            Assert.Equal(RejectReason.ItemTooLarge, over.Reason);
            Assert.Equal(409601, over.SizeBytes);
            // Numbers: 1 byte per two significant digits + 1; lists/maps 3 + 1 per element; names of map keys count.
            var sized = new Dictionary<string, AttributeValue>
            {
                ["PK"] = S("a"), ["SK"] = S("b"),
                ["n"] = new AttributeValue { N = "12345" },                                              // 1 + 4
                ["l"] = new AttributeValue { L = new List<AttributeValue> { S("xy"), new AttributeValue { BOOL = true } } }, // 1 + 3 + (2+1) + (1+1)
                ["m"] = new AttributeValue { M = new Dictionary<string, AttributeValue> { ["k"] = new AttributeValue { NULL = true } } }, // 1 + 3 + (1+1+1)
                ["b"] = new AttributeValue { B = new MemoryStream(new byte[] { 1, 2, 3 }) },             // 1 + 3
            };
            Assert.Equal(6 + 5 + 9 + 7 + 4, ItemRules.SingleTable.Check(sized).SizeBytes);
        }

        [Fact]
        public void Text_without_a_utf8_form_is_refused()
        {
            ItemCheck check = ItemRules.SingleTable.Check(Item(("note", S("a\ud800b"))));
            Assert.Equal(RejectReason.InvalidString, check.Reason);
            Assert.Equal("note", check.Field);
        }
    }
}
