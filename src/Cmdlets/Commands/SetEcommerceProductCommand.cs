using System.Collections.Generic;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Products;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Changes fields of an existing product and invalidates its cache keys, including both category lists on a move.</summary>
    /// <remarks>
    /// <para>Only the fields given are changed (plus updatedAt); a new -Category moves the product to another GSI1 partition and a new -NameEn changes its sort key. The update is conditional on the product existing: a missing id is the error ProductNotFound, never an accidental new item.</para>
    /// <para>With -RedisUrl, product:&lt;id&gt;, products:&lt;old category&gt;, products:&lt;new category&gt; and products:all are removed, so the next read sees the change (the guide's model only rewrote product:&lt;id&gt;).</para>
    /// <para>-Id and -TableName bind by property name, so products from Get-EcommerceProduct can be piped in. The updated product is returned.</para>
    /// </remarks>
    /// <example>
    /// <code>Set-EcommerceProduct -TableName ecommerce-cameroon -Id 65f1c2a9e4b0a1b2c3d4e5f6 -Price 14500 -Stock 8 -RedisUrl redis://127.0.0.1:6379</code>
    /// <para>Changes the price and stock and drops the product's cache entries.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceProduct -TableName ecommerce-cameroon -Category Phones | Set-EcommerceProduct -Category Electronics -WhatIf</code>
    /// <para>Shows which products would move from Phones to Electronics.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Set, "EcommerceProduct", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(EcommerceProduct))]
    public sealed class SetEcommerceProductCommand : ProductCmdlet
    {
        /// <summary><para>Id of the product to change. Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Id { get; set; }

        /// <summary><para>New English name (may not be empty).</para></summary>
        [Parameter]
        [AllowEmptyString]
        public string NameEn { get; set; }

        /// <summary><para>New French name.</para></summary>
        [Parameter]
        public string NameFr { get; set; }

        /// <summary><para>New price in XAF, zero or more.</para></summary>
        [Parameter]
        public decimal Price { get; set; }

        /// <summary><para>New category: moves the product to that category's list.</para></summary>
        [Parameter]
        [AllowEmptyString]
        public string Category { get; set; }

        /// <summary><para>New image list (replaces the whole list).</para></summary>
        [Parameter]
        public string[] Images { get; set; }

        /// <summary><para>New description.</para></summary>
        [Parameter]
        public string Description { get; set; }

        /// <summary><para>New stock, zero or more.</para></summary>
        [Parameter]
        public long Stock { get; set; }

        protected override void ProcessRecord()
        {
            CheckCommonInput();
            CheckInput(() => ProductValidation.Id(Id));
            var bound = MyInvocation.BoundParameters;
            var changes = new ProductFields
            {
                NameEn = bound.ContainsKey(nameof(NameEn)) ? NameEn : null,
                NameFr = bound.ContainsKey(nameof(NameFr)) ? NameFr : null,
                Price = bound.ContainsKey(nameof(Price)) ? Price : null,
                Category = bound.ContainsKey(nameof(Category)) ? Category : null,
                Images = bound.ContainsKey(nameof(Images)) ? Images ?? System.Array.Empty<string>() : null,
                Description = bound.ContainsKey(nameof(Description)) ? Description : null,
                Stock = bound.ContainsKey(nameof(Stock)) ? Stock : null,
            };
            CheckInput(() => ProductValidation.Fields(changes, creating: false));
            var changed = new List<string>();
            foreach (string name in new[] { nameof(NameEn), nameof(NameFr), nameof(Price), nameof(Category), nameof(Images), nameof(Description), nameof(Stock) })
                if (bound.ContainsKey(name)) changed.Add(name);
            if (changed.Count == 0)
                ThrowInputError("NothingToUpdate", Id, "No field to change was given.",
                    "Pass at least one of -NameEn, -NameFr, -Price, -Category, -Images, -Description, -Stock.");
            if (!ShouldProcess($"{TableName}: product {Id}", $"Update {string.Join(", ", changed)}")) return;
            CacheTarget cache = Cache;
            WriteObject(Run(context => new ProductService().UpdateAsync(TableName, Id, changes, cache, context)));
        }
    }
}
