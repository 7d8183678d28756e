using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Pipeline;
using EcommerceAws.Output;
using MongoDB.Bson;
using Xunit;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>The migration's warning about a PROVISIONED table's write capacity.</summary>
    public class CapacityEstimateTests
    {
        private static TableDescription Table(long wcu, long? indexWcu = null, string mode = null) => new TableDescription
        {
            BillingModeSummary = mode == null ? null : new BillingModeSummary { BillingMode = new Amazon.DynamoDBv2.BillingMode(mode) },
            ProvisionedThroughput = new ProvisionedThroughputDescription { WriteCapacityUnits = wcu, ReadCapacityUnits = 5 },
            GlobalSecondaryIndexes = indexWcu == null ? null : new List<GlobalSecondaryIndexDescription>
            {
                new GlobalSecondaryIndexDescription { IndexName = "OTHER", ProvisionedThroughput = new ProvisionedThroughputDescription { WriteCapacityUnits = 1 } },
                new GlobalSecondaryIndexDescription { IndexName = "GSI1", ProvisionedThroughput = new ProvisionedThroughputDescription { WriteCapacityUnits = indexWcu } },
            },
        };

        [Fact]
        public void On_demand_tables_get_no_estimate_and_a_table_never_switched_is_provisioned()
        {
            Assert.Null(CapacityEstimate.For(Table(100, 100, "PAY_PER_REQUEST"), 1000, 1));
            Assert.True(CapacityEstimate.IsProvisioned(Table(100)));
            Assert.NotNull(CapacityEstimate.For(Table(100), 1000, 1));
            Assert.NotNull(CapacityEstimate.For(Table(100, mode: "PROVISIONED"), 1000, 1));
            Assert.Null(CapacityEstimate.For(Table(0), 1000, 1));
        }

        [Fact]
        public void The_slower_of_table_and_gsi1_sets_the_time()
        {
            // 120,000 items of 1.5 units: 180,000 units on the table and 180,000 on GSI1, written side by side.
            CapacityEstimate slowIndex = CapacityEstimate.For(Table(100, indexWcu: 25), 120_000, 1.5);
            Assert.Equal(180_000, slowIndex.TableUnits);
            Assert.Equal(25, slowIndex.IndexWcu);
            Assert.Equal(TimeSpan.FromSeconds(180_000 / 25.0), slowIndex.Duration);
            Assert.True(slowIndex.Duration > CapacityEstimate.WarnAbove);

            CapacityEstimate slowTable = CapacityEstimate.For(Table(50, indexWcu: 1000), 120_000, 1.5);
            Assert.Equal(TimeSpan.FromSeconds(180_000 / 50.0), slowTable.Duration);

            CapacityEstimate noIndexInfo = CapacityEstimate.For(Table(400), 120_000, 1.5);      // GSI1 not described: assume the table's
            Assert.Equal(400, noIndexInfo.IndexWcu);
            Assert.Equal(TimeSpan.FromSeconds(450), noIndexInfo.Duration);
            Assert.False(noIndexInfo.Duration > CapacityEstimate.WarnAbove);

            string text = slowIndex.Describe("shop");
            Assert.Contains("100 WCU (GSI1: 25 WCU)", text);
            Assert.Contains("~180,000 write units", text);
            Assert.Contains("about 2 h at this capacity", text);
        }
    }

    /// <summary>Measure-MigrationCost's arithmetic on a file source (no AWS: no -TableName).</summary>
    public sealed class MigrationCostEstimatorTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "ecom-cost-" + Guid.NewGuid().ToString("N"));

        public MigrationCostEstimatorTests() => Directory.CreateDirectory(dir);
        public void Dispose() => Directory.Delete(dir, recursive: true);

        private sealed class Context : IOperationContext
        {
            public readonly List<string> Warnings = new List<string>();
            public AwsOptions Aws => AwsOptions.Default;
            public CancellationToken Cancellation => CancellationToken.None;
            public void WriteVerbose(string message) { }
            public void WriteWarning(string message) => Warnings.Add(message);
            public void WriteProgress(ProgressUpdate update) { }
            public void WriteObject(object item) { }
            public void WriteError(EcommerceException error) => throw new InvalidOperationException(error.Message);
        }

        /// <summary>A product whose item is exactly <paramref name="bytes"/> bytes as DynamoDB counts it.</summary>
        private static string ProductOfSize(int n, int bytes)
        {
            var mapper = new EntityMapper();
            BsonDocument Doc(int pad) => new BsonDocument { ["_id"] = n, ["nameEn"] = "Item " + n, ["category"] = "c", ["pad"] = new string('x', pad) };
            int baseSize = mapper.Map(EcommerceEntity.Product, Doc(0)).SizeBytes;
            BsonDocument document = Doc(bytes - baseSize);
            if (bytes <= 409_600) Assert.Equal(bytes, mapper.Map(EcommerceEntity.Product, document).SizeBytes);
            return document.ToJson();
        }

        private string File(string name, params string[] lines)
        {
            string path = Path.Combine(dir, name);
            System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
            return path;
        }

        [Fact]
        public async Task Every_document_read_is_counted_and_each_written_item_costs_its_units_twice()
        {
            string path = File("products.json",
                ProductOfSize(1, 200),          // 1 unit
                ProductOfSize(2, 1024),         // 1 unit: exactly 1 KB
                ProductOfSize(3, 1025),         // 2 units
                ProductOfSize(4, 3500),         // 4 units
                "{\"_id\":5,\"nameEn\":\"no category\"}",                      // MissingField: not written
                "{\"_id\":6,\"nameEn\":\"broken\",",                          // malformed: not written, not sampled
                ProductOfSize(7, 410_000));     // over 400 KB: ItemTooLarge
            var context = new Context();
            MigrationCostEstimate[] rows = await new MigrationCostEstimator(new EntityMapper()).EstimateAsync(new MigrationCostRequest
            {
                Entities = new[] { EcommerceEntity.Product },
                Sources = new[] { new MigrationSourceSpec { Path = path } },
                PricePerMillionWriteUnits = 1.25,
                PricePerGbMonth = 0.25,
            }, context);

            MigrationCostEstimate row = Assert.Single(rows);
            Assert.Equal("Product", row.Entity);
            Assert.Equal(7, row.ItemCount);
            Assert.Equal(1, row.MalformedDocuments);
            Assert.Equal(6, row.Sampled);
            Assert.Equal(2, row.SampleRejected);
            Assert.Equal(1, row.ItemsOver400KB);
            Assert.Equal(409_601, row.MaxItemBytes);                          // reported as just over the limit
            Assert.Equal(Math.Round((200 + 1024 + 1025 + 3500) / 4.0, 1), row.AverageItemBytes);
            Assert.Equal(2 * (1 + 1 + 2 + 4), row.WriteUnits);                // table + GSI1 for the 4 written items
            Assert.Equal(0.00002, row.OnDemandCostUsd, 12);                  // 16 units at USD 1.25 a million
            Assert.Equal(TimeSpan.FromSeconds(row.WriteUnits / 4000.0), row.TimeAtOnDemandBaseline);
            Assert.Null(row.TimeAtProvisionedWcu);
            // Storage: each written item twice (table and GSI1), plus 100 bytes of overhead in each.
            double gb = 4 * (2 * ((200 + 1024 + 1025 + 3500) / 4.0) + 200) / (1024d * 1024 * 1024);
            Assert.Equal(Math.Round(gb, 9), row.StorageGbMonth, 12);
            Assert.Equal(Math.Round(gb * 0.25, 6), row.StorageCostUsdPerMonth, 12);
            Assert.Contains(context.Warnings, w => w.Contains("1 document(s)") && w.Contains("MalformedDocument"));
        }

        [Fact]
        public async Task Several_entities_add_a_total_row_summing_them()
        {
            string products = File("p.json", ProductOfSize(1, 1500), ProductOfSize(2, 500));
            string categories = File("c.json", "{\"_id\":\"c1\",\"name\":\"Mode\"}", "{\"_id\":\"c2\",\"name\":\"Maison\"}", "{\"_id\":\"c3\"}");
            MigrationCostEstimate[] rows = await new MigrationCostEstimator(new EntityMapper()).EstimateAsync(new MigrationCostRequest
            {
                Entities = new[] { EcommerceEntity.Product, EcommerceEntity.Category },
                Sources = new[] { new MigrationSourceSpec { Path = products }, new MigrationSourceSpec { Path = categories } },
            }, new Context());
            Assert.Equal(new[] { "Product", "Category", "Total" }, rows.Select(r => r.Entity));
            Assert.Equal(2 * (2 + 1), rows[0].WriteUnits);
            Assert.Equal(2 * (1 + 1), rows[1].WriteUnits);
            Assert.Equal(1, rows[1].SampleRejected);
            MigrationCostEstimate total = rows[2];
            Assert.Equal(5, total.ItemCount);
            Assert.Equal(10, total.WriteUnits);
            Assert.Equal(1, total.SampleRejected);
            Assert.Equal(rows[0].StorageGbMonth + rows[1].StorageGbMonth, total.StorageGbMonth, 12);
            Assert.Equal(Math.Round(10 / 1e6 * MigrationCostRequest.DefaultPricePerMillionWriteUnits, 6), total.OnDemandCostUsd); // whole micro-dollars
        }
    }
}
