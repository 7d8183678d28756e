using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Products;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes a product from the single table and removes it and its lists from the Redis cache.</summary>
    /// <remarks>
    /// <para>Deletes PK=SK=PRODUCT#&lt;id&gt; only if it exists (otherwise the error ProductNotFound). Asks for confirmation (ConfirmImpact High); pass -Confirm:$false in scripts.</para>
    /// <para>With -RedisUrl, product:&lt;id&gt;, products:&lt;category&gt; and products:all are removed from the cache. -PassThru returns the deleted product. The product's images in S3 are kept (they are content-addressed and may be shared).</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-EcommerceProduct -TableName ecommerce-cameroon -Id 65f1c2a9e4b0a1b2c3d4e5f6 -RedisUrl redis://127.0.0.1:6379 -Confirm:$false</code>
    /// <para>Deletes one product and its cache entries without asking.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceProduct -TableName ecommerce-cameroon -Category Discontinued | Remove-EcommerceProduct -WhatIf</code>
    /// <para>Shows which products of a category would be deleted.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "EcommerceProduct", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(EcommerceProduct))]
    public sealed class RemoveEcommerceProductCommand : ProductCmdlet
    {
        /// <summary><para>Id of the product to delete. Binds by property name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Id { get; set; }

        /// <summary><para>Return the deleted product.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            CheckCommonInput();
            CheckInput(() => ProductValidation.Id(Id));
            if (!ShouldProcess($"{TableName}: product {Id}", "Delete product")) return;
            CacheTarget cache = Cache;
            EcommerceProduct removed = Run(context => new ProductService().RemoveAsync(TableName, Id, cache, context));
            if (PassThru) WriteObject(removed);
        }
    }
}
