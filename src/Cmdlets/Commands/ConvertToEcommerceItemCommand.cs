using System.Collections;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Shows what MongoDB documents become in the single DynamoDB table: keys, attributes and types, or why they would be rejected.</summary>
    /// <remarks>
    /// <para>Uses the same mapping as the migration (docs/DESIGN.md §4): PK/SK/GSI1PK/GSI1SK from the entity's key fields, id and entityType, and every other field except _id and __v, converted by the BSON to DynamoDB type rules (numbers as exact text, ObjectId as 24 hex characters, dates as ISO-8601 UTC with milliseconds, arrays as L, embedded documents as M, binary as B).</para>
    /// <para>Input is a hashtable, a PSCustomObject (for example from ConvertFrom-Json) or a string of Extended JSON as mongoexport writes it (canonical or relaxed); -Path previews a whole mongoexport or mongodump file and -MongoUri a whole collection, in _id order.</para>
    /// <para>A document the migration would reject is a normal result with Rejected = $true, RejectReason and RejectField; it is not an error. Reasons: MissingField, InvalidId, InvalidNumber, UnsupportedBsonType, and DynamoDB's item rules InvalidKey, KeyTooLong, NestingTooDeep, InvalidAttributeName, InvalidString, ItemTooLarge (README, "Reject reasons"). With -Path or -MongoUri, a document of the source that does not parse is a MalformedDocument result (file, line or byte offset in RejectDetail) and the preview goes on, and a repeated key is DuplicateKey. DuplicateEmail needs every user, so only the migration run reports it. -InputObject that is not a document at all (bad JSON) is a non-terminating InvalidDocument error.</para>
    /// <para>Item holds each attribute as DynamoDB JSON (@{ S = '...' }, @{ N = '...' }, @{ L = @(...) }, @{ M = ... }). Attributes whose names look like credentials (password, passwordHash, resetToken, ...) show **** — the migration itself copies them unchanged.</para>
    /// </remarks>
    /// <example>
    /// <code>ConvertTo-EcommerceItem -Entity Product -InputObject @{ _id = @{ '$oid' = '65f1a2b3c4d5e6f708192a3b' }; nameEn = 'Rice 5 kg'; nameFr = 'Riz 5 kg'; category = 'Alimentation'; price = 4500 }</code>
    /// <para>Maps one product given as a hashtable; keys are PRODUCT#65f1a2b3c4d5e6f708192a3b and CATEGORY#Alimentation / PRODUCT#Rice 5 kg.</para>
    /// </example>
    /// <example>
    /// <code>ConvertTo-EcommerceItem -Entity User -Path ./samples/dump/shop/users.bson | Where-Object Rejected</code>
    /// <para>Lists the users of a mongodump file the migration would reject, with the reason and field.</para>
    /// </example>
    /// <example>
    /// <code>Get-Content ./samples/shop/orders.json -First 1 | ConvertTo-EcommerceItem -Entity Order | Select-Object -ExpandProperty Item</code>
    /// <para>Shows the DynamoDB attributes of the first order of a mongoexport file.</para>
    /// </example>
    [Cmdlet(VerbsData.ConvertTo, "EcommerceItem", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(EcommerceItemPreview))]
    public sealed class ConvertToEcommerceItemCommand : EcommerceCmdlet
    {
        private const string InputObjectSet = ParameterSets.ByInputObject;
        private const string PathSet = ParameterSets.ByPath;
        private const string MongoSet = ParameterSets.ByMongoUri;

        #region Parameters

        /// <summary><para>The entity the documents are: Category, Product, User or Order. It decides the keys (docs/DESIGN.md §4). The collection names (categories, products, users, orders) are accepted too.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [EntityNameTransformation]
        public EcommerceEntity Entity { get; set; }

        /// <summary><para>A document: hashtable, PSCustomObject or Extended JSON string (one mongoexport line). Accepts pipeline input; an array maps each element.</para></summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [AllowNull]
        public object InputObject { get; set; }

        /// <summary><para>A mongoexport file (.json, one document per line or --jsonArray) or a mongodump file (.bson, .bson.gz) to preview whole.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>MongoDB connection string of the collection to preview; its password is never displayed.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string MongoUri { get; set; }

        /// <summary><para>Database of -MongoUri. Default: the database named in the URI.</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; }

        /// <summary><para>Collection of -MongoUri. Default: the entity's collection (categories, products, users, orders).</para></summary>
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateNotNullOrEmpty]
        public string Collection { get; set; }

        /// <summary><para>With -Path or -MongoUri: map only the first N documents (in _id or file order). Default: all.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = MongoSet)]
        [ValidateRange(1, long.MaxValue)]
        public long First { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            ItemMappingService mapping = new ItemMappingService();
            if (ParameterSetName == InputObjectSet)
            {
                object input = InputObject is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject : InputObject;
                if (input is IEnumerable sequence && input is not string && input is not IDictionary)
                    foreach (object element in sequence) MapOne(mapping, element);
                else
                    MapOne(mapping, input);
                return;
            }
            var source = ParameterSetName == PathSet
                ? new MigrationSourceSpec { Path = GetUnresolvedProviderPathFromPSPath(Path) }
                : new MigrationSourceSpec { MongoUri = MongoUri, Database = Database, Collection = Collection };
            long? first = MyInvocation.BoundParameters.ContainsKey(nameof(First)) ? First : null;
            Run(context => mapping.PreviewSourceAsync(Entity, source, first, context));
        }

        #endregion

        private void MapOne(ItemMappingService mapping, object document)
        {
            if (document == null)
            {
                WriteError(EcommerceErrors.InvalidDocument(null, "The input is null, not a document.", ErrorCategory.InvalidArgument).ToErrorRecord());
                return;
            }
            try
            {
                string json = document is string text ? text : ExtendedJsonWriter.Write(document);
                if (string.IsNullOrWhiteSpace(json)) return; // blank lines of a JSON-lines file
                WriteObject(mapping.Preview(Entity, json));
            }
            catch (EcommerceException ex)
            {
                WriteError(ex.ToErrorRecord());
            }
            catch (System.ArgumentException ex)
            {
                WriteError(EcommerceErrors.InvalidDocument(Entity, ex.Message, ErrorCategory.InvalidArgument).ToErrorRecord());
            }
        }
    }
}
