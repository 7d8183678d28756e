using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>What Measure-MigrationCost asks for.</summary>
    public sealed class MigrationCostRequest
    {
        public EcommerceEntity[] Entities { get; init; }
        /// <summary>Per entity; for -Path the entity's file (several -Path values pair with -Entity in order).</summary>
        public MigrationSourceSpec[] Sources { get; init; }
        public int SampleSize { get; init; } = 1000;
        public double PricePerMillionWriteUnits { get; init; } = MigrationCostRequest.DefaultPricePerMillionWriteUnits;
        public double PricePerGbMonth { get; init; } = MigrationCostRequest.DefaultPricePerGbMonth;
        public string TableName { get; init; }
        /// <summary>USD per GB of uncompressed source data ImportTable processes (-Method Import).</summary>
        public double PricePerGbImport { get; init; } = MigrationCostRequest.DefaultPricePerGbImport;

        /// <summary>
        /// DynamoDB import from S3, us-east-1: USD 0.15 per GB of uncompressed source data (the figure AWS's pricing page gives
        /// for us-east-1 at the time of writing; other regions differ, pass -PricePerGbImport).
        /// </summary>
        public const double DefaultPricePerGbImport = 0.15;

        /// <summary>DynamoDB on-demand, us-east-1, Standard table class: USD 0.625 per million write request units (since Nov 2024; was 1.25).</summary>
        public const double DefaultPricePerMillionWriteUnits = 0.625;
        /// <summary>DynamoDB Standard storage, us-east-1: USD 0.25 per GB-month (first 25 GB free).</summary>
        public const double DefaultPricePerGbMonth = 0.25;
        /// <summary>Writes a new on-demand table absorbs per second before it scales.</summary>
        public const int OnDemandInitialWriteUnitsPerSecond = 4000;
    }
}
