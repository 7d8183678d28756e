using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Products;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets products from the single table by id, by category, or all of them, reading through the Redis cache when -RedisUrl is given.</summary>
    /// <remarks>
    /// <para>Reads products as the guide's ProductModel does: -Id reads the item PK=SK=PRODUCT#&lt;id&gt;; -Category queries index GSI1 on CATEGORY#&lt;category&gt; (ordered by English name); -All walks every category listed under TYPE#category (GSI1) and each category's products, page by page, so output starts before the last page is read. Unlike the guide, -All does not use a fixed category list; products whose category has no category item are not found by -All (use -Category, or migrate the categories).</para>
    /// <para>With -RedisUrl the cache is read first: product:&lt;id&gt; (kept 3600 s), products:&lt;category&gt; and products:all (1800 s), JSON values. A miss reads the table and fills the key. FromCache tells where each product came from. When Redis cannot be reached the command warns and reads the table.</para>
    /// <para>rediss:// (TLS, as ElastiCache with in-transit encryption: replication groups with it on, and every serverless cache) checks the server certificate against this machine's trust store and the host name; it is never skipped. ElastiCache certificates are publicly trusted, so nothing is needed. For a private CA (a self-hosted Redis with TLS), trust the CA on this machine: on Linux start pwsh with SSL_CERT_FILE set to a PEM bundle that includes it, or SSL_CERT_DIR=&lt;folder with the CA&gt;:/etc/ssl/certs (.NET reads them once, when the process starts); on Windows import it into Cert:\CurrentUser\Root; on macOS mark it trusted in the keychain. An untrusted certificate or one for another name is reported as such (CacheCertificateUntrusted, CacheCertificateNameMismatch), and redis:// against a TLS port (or rediss:// against a plain one) says which scheme to use, within the connect timeout.</para>
    /// <para>A missing id is a non-terminating ProductNotFound error; the other ids are still read.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceProduct -TableName ecommerce-cameroon -Id 65f1c2a9e4b0a1b2c3d4e5f6 -RedisUrl redis://127.0.0.1:6379</code>
    /// <para>Reads one product through the cache: the first call fills product:65f1c2a9e4b0a1b2c3d4e5f6 for an hour, the next is served from Redis.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceProduct -TableName ecommerce-cameroon -All | Group-Object Category | Sort-Object Count -Descending</code>
    /// <para>Counts products per category across every category in the table.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceProduct -TableName ecommerce-cameroon -Category Electronics | Where-Object Stock -lt 5</code>
    /// <para>Lists electronics that are running out.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceProduct", DefaultParameterSetName = ByIdSet)]
    [OutputType(typeof(EcommerceProduct))]
    public sealed class GetEcommerceProductCommand : ProductCmdlet
    {
        private const string ByIdSet = ParameterSets.ById;
        private const string ByCategorySet = ParameterSets.ByCategory;
        private const string AllSet = ParameterSets.All;

        /// <summary><para>Product ids (the migrated MongoDB _id, or the id New-EcommerceProduct gave). Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
        public string[] Id { get; set; }

        /// <summary><para>Category names; lists their products (GSI1 partition CATEGORY#&lt;category&gt;). Names are case-sensitive in the table: a name that finds nothing is matched without regard to case (electronics finds Electronics), and when no category matches, a warning lists the categories that exist.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ByCategorySet)]
        public string[] Category { get; set; }

        /// <summary><para>Every product of every category listed in the table (TYPE#category), streamed page by page.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = AllSet)]
        public SwitchParameter All { get; set; }

        protected override void ProcessRecord()
        {
            CheckCommonInput();
            ProductSelection selection = ParameterSetName switch
            {
                ByCategorySet => ProductSelection.Category,
                AllSet => ProductSelection.All,
                _ => ProductSelection.Id,
            };
            string[] values = selection == ProductSelection.Id ? Id : selection == ProductSelection.Category ? Category : System.Array.Empty<string>();
            if (selection == ProductSelection.Id) foreach (string id in values) CheckInput(() => ProductValidation.Id(id));
            if (selection == ProductSelection.Category)
                foreach (string category in values)
                    if (string.IsNullOrWhiteSpace(category))
                        ThrowInputError("MissingCategory", category, "-Category may not contain empty names.", "Pass category names such as Electronics.");
            CacheTarget cache = Cache;
            Run(context => new ProductService().GetAsync(TableName, selection, values, cache, context));
        }
    }
}
