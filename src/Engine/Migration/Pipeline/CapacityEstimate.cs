using System;
using System.Linq;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Engine.Tables;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// For PROVISIONED tables: the write units a run needs (item size rounded up per KB, written once to the table
    /// and once to GSI1) and the time that takes at the table's and the index's WCU.
    /// </summary>
    internal sealed class CapacityEstimate
    {
        public static readonly TimeSpan WarnAbove = TimeSpan.FromMinutes(10);

        public long Items { get; private init; }
        public double UnitsPerItem { get; private init; }
        public long TableWcu { get; private init; }
        public long IndexWcu { get; private init; }
        public long TableUnits => (long)Math.Ceiling(Items * UnitsPerItem);
        public TimeSpan Duration { get; private init; }

        /// <summary>No billing-mode summary means PROVISIONED (DescribeTable omits it for tables never switched to on-demand).</summary>
        public static bool IsProvisioned(TableDescription table) =>
            (table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED") == "PROVISIONED";

        /// <summary>Null for on-demand tables.</summary>
        public static CapacityEstimate For(TableDescription table, long items, double unitsPerItem)
        {
            if (!IsProvisioned(table)) return null;
            long tableWcu = table.ProvisionedThroughput?.WriteCapacityUnits ?? 0;
            long indexWcu = table.GlobalSecondaryIndexes?.FirstOrDefault(i => i.IndexName == TableService.IndexName)?.ProvisionedThroughput?.WriteCapacityUnits ?? tableWcu;
            if (tableWcu <= 0) return null;
            double units = items * unitsPerItem;
            double seconds = Math.Max(units / tableWcu, indexWcu > 0 ? units / indexWcu : 0);
            return new CapacityEstimate { Items = items, UnitsPerItem = unitsPerItem, TableWcu = tableWcu, IndexWcu = indexWcu, Duration = TimeSpan.FromSeconds(seconds) };
        }

        public string Describe(string tableName) =>
            $"Table '{tableName}' is PROVISIONED with {TableWcu} WCU (GSI1: {IndexWcu} WCU). About {Items:N0} items of {UnitsPerItem:0.#} KB need " +
            $"~{TableUnits:N0} write units on the table plus ~{TableUnits:N0} on GSI1: about {EcommerceAws.Output.DisplayText.Duration(Duration)} at this capacity. " +
            "Switch the table to on-demand or raise its write capacity for the migration (Ctrl+C stops the run; the same command resumes it from its checkpoint).";
    }
}
