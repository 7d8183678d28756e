using System.IO;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Estimates what migrating the shop into DynamoDB will cost and how long it takes, before you run it.</summary>
    /// <remarks>
    /// <para>Reads each entity's source once (a MongoDB collection with -MongoUri, or dump files with -Path), maps a systematic sample of -SampleSize documents with the migration's own mapping, and reports per entity and in total: item count, average and largest item size, write units (per item ceil(size / 1 KB) for the table plus the same for GSI1, which projects all attributes), the on-demand cost, the time at the table's provisioned WCU (with -TableName of a provisioned table), the time at the 4,000 write request units per second a new on-demand table absorbs, and the storage in GB-months.</para>
    /// <para>Items over DynamoDB's 400 KB limit are counted in ItemsOver400KB; the migration rejects them as ItemTooLarge. Sampled documents the migration would reject for other reasons are counted in SampleRejected and left out of the sizes.</para>
    /// <para>The default price is DynamoDB Standard on-demand in us-east-1, USD 0.625 per million write request units (since November 2024); pass -PricePerMillionWriteUnits for another region or table class. Storage uses USD 0.25 per GB-month and ignores the free tier.</para>
    /// <para>Beside the write path (-Method Write) each row shows the import path (-Method Import): the items as ImportTable's DYNAMODB_JSON lines, uncompressed (ImportGb, what the import bills: USD 0.15 per GB in us-east-1 by default, -PricePerGbImport for other regions such as af-south-1), the gzipped bytes and objects staged in S3, and TimeToStage, this machine's time to map, serialize and gzip them (measured on the sample; AWS publishes no import speed). An import consumes no write units. RecommendedMethod and Recommendation say which method to use: Import when the target table does not exist yet (a -TableName that exists means Write) and the import saves at least USD 1 or writing would take an hour or more; otherwise Write, which needs no staging bucket or new table. The Total row's recommendation is the one for Invoke-EcommerceMigration.</para>
    /// </remarks>
    /// <example>
    /// <code>Measure-MigrationCost -Path ./samples/dump/shop</code>
    /// <para>Estimates the four entities from a mongodump folder (categories.bson, products.bson, users.bson, orders.bson).</para>
    /// </example>
    /// <example>
    /// <code>Measure-MigrationCost -MongoUri $env:MONGODB_URI -Entity Product -SampleSize 5000 -TableName ecommerce-cameroon</code>
    /// <para>Samples 5,000 products from MongoDB and shows how long the provisioned table needs to absorb them.</para>
    /// </example>
    /// <example>
    /// <code>Measure-MigrationCost -Path ./samples/dump/shop -PricePerGbImport 0.15 | Where-Object Entity -eq Total | Format-List OnDemandCostUsd, ImportGb, ImportCostUsd, TimeAtOnDemandBaseline, TimeToStage, RecommendedMethod, Recommendation</code>
    /// <para>Compares writing and importing the whole shop and shows the recommended method with its reason.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Measure, "MigrationCost", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MigrationCostEstimate))]
    public sealed class MeasureMigrationCostCommand : MigrationSourceCmdlet
    {
        /// <summary><para>Entities to estimate. Default: Category, Product, User, Order. The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter(Position = 0)]
        [EntityNameTransformation]
        public EcommerceEntity[] Entity { get; set; } = { EcommerceEntity.Category, EcommerceEntity.Product, EcommerceEntity.User, EcommerceEntity.Order };

        /// <summary><para>Documents mapped per entity to measure item sizes. Default: 1000.</para></summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int SampleSize { get; set; } = 1000;

        /// <summary><para>USD per million write request units. Default 0.625 (DynamoDB Standard on-demand, us-east-1).</para></summary>
        [Parameter]
        [ValidateRange(0.0, 1000.0)]
        public double PricePerMillionWriteUnits { get; set; } = MigrationCostRequest.DefaultPricePerMillionWriteUnits;

        /// <summary><para>USD per GB of uncompressed data ImportTable processes (-Method Import). Default 0.15 (us-east-1); check the DynamoDB pricing page for your region.</para></summary>
        [Parameter]
        [ValidateRange(0.0, 1000.0)]
        public double PricePerGbImport { get; set; } = MigrationCostRequest.DefaultPricePerGbImport;

        /// <summary><para>Target table: when it is provisioned, the estimate adds the time at its write capacity; when it exists, the recommendation is Write (ImportTable only creates new tables).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string TableName { get; set; }

        protected override void ProcessRecord()
        {
            if (TableName != null) CheckInput(() => InputValidation.TableName(TableName));
            EcommerceEntity[] entities = Entity.Distinct().ToArray();
            MigrationSourceSpec[] sources = ParameterSetName == MongoSet
                ? entities.Select(_ => new MigrationSourceSpec { MongoUri = MongoUri, Database = Database }).ToArray()
                : entities.Select(ResolveFile).ToArray();
            var request = new MigrationCostRequest
            {
                Entities = entities,
                Sources = sources,
                SampleSize = SampleSize,
                PricePerMillionWriteUnits = PricePerMillionWriteUnits,
                PricePerGbImport = PricePerGbImport,
                TableName = TableName,
            };
            foreach (MigrationCostEstimate row in Run(context => new ItemMappingService().EstimateCostAsync(request, context)))
                WriteObject(row);
        }

        private MigrationSourceSpec ResolveFile(EcommerceEntity entity)
        {
            string full = GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(full))
            {
                if (Entity.Distinct().Count() > 1)
                    ThrowInputError("MeasureMigrationCostOneFileManyEntities", Path, $"'{Path}' is one file but {Entity.Length} entities were asked for.",
                        "Pass a single -Entity with a file, or a dump folder with -Path.");
                return new MigrationSourceSpec { Path = full };
            }
            if (!Directory.Exists(full)) ThrowTerminatingError(EcommerceErrors.SourceFolderNotFound(full).ToErrorRecord());
            // The file the migration itself would read from this folder (.json, then .bson, then .bson.gz): the estimate measures the same data.
            return ResolveSource(entity, null, null, null, Path, terminating: true);
        }
    }
}
