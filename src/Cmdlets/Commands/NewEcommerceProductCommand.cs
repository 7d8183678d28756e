using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Products;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates a product in the single table with a new sortable id, and invalidates the cached product lists.</summary>
    /// <remarks>
    /// <para>Writes the item of the guide's ProductModel.create: PK=SK=PRODUCT#&lt;id&gt;, GSI1PK=CATEGORY#&lt;category&gt;, GSI1SK=PRODUCT#&lt;nameEn&gt;, id, entityType PRODUCT, the product fields, createdAt and updatedAt (ISO-8601 UTC). The id is a 24-hex ObjectId-style id (time-ordered, unique across machines), not the guide's Date.now(), which collides within a millisecond.</para>
    /// <para>A category that is not yet listed gets a category item (PK=CATEGORY#&lt;new id&gt;, GSI1PK=TYPE#category) so Get-EcommerceProduct -All and the app find it.</para>
    /// <para>With -RedisUrl, product:&lt;id&gt;, products:&lt;category&gt; and products:all are removed from the cache (the guide's model leaves stale lists behind).</para>
    /// <para>Input is checked before any AWS call: MissingNameEn, MissingCategory, InvalidPrice, InvalidStock, InvalidImage. Properties bind by name, so rows of Import-Csv can be piped in.</para>
    /// </remarks>
    /// <example>
    /// <code>New-EcommerceProduct -TableName ecommerce-cameroon -NameEn 'Ndole spice mix' -NameFr 'Epices pour ndole' -Price 2500 -Category Groceries -Stock 40 -Images '/uploads/ndole.jpg'</code>
    /// <para>Creates a product priced 2,500 XAF.</para>
    /// </example>
    /// <example>
    /// <code>Import-Csv ./new-products.csv | New-EcommerceProduct -TableName ecommerce-cameroon -RedisUrl $stack.RedisUrl</code>
    /// <para>Creates one product per CSV row (columns NameEn, NameFr, Price, Category, Description, Stock) and drops the stale cached lists.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "EcommerceProduct", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(EcommerceProduct))]
    public sealed class NewEcommerceProductCommand : ProductCmdlet
    {
        /// <summary><para>English name (required; part of the index key GSI1SK).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string NameEn { get; set; }

        /// <summary><para>French name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string NameFr { get; set; }

        /// <summary><para>Price in XAF (CFA francs), zero or more.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        public decimal Price { get; set; }

        /// <summary><para>Category name (required; the index partition GSI1PK = CATEGORY#&lt;category&gt;).</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Category { get; set; }

        /// <summary><para>Image URLs or upload paths (publish them to the CDN later with Publish-ProductAsset).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[] Images { get; set; }

        /// <summary><para>Description text.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Description { get; set; }

        /// <summary><para>Items in stock, zero or more. Default 0.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public long Stock { get; set; }

        protected override void ProcessRecord()
        {
            CheckCommonInput();
            var fields = new ProductFields
            {
                NameEn = NameEn, NameFr = NameFr, Price = Price, Category = Category, Images = Images, Description = Description, Stock = Stock,
            };
            CheckInput(() => ProductValidation.Fields(fields, creating: true));
            if (!ShouldProcess($"{TableName}: {NameEn} ({Category}, {Price} XAF)", "Create product")) return;
            CacheTarget cache = Cache;
            WriteObject(Run(context => new ProductService().CreateAsync(TableName, fields, cache, context)));
        }
    }
}
