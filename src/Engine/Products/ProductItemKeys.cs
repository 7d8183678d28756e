namespace EcommerceAws.Engine.Products
{
    /// <summary>
    /// The DESIGN §4 key formats of products and categories, in one place for the product and cache cmdlets.
    /// (The migration mapper has its own EntityKeys; both must agree — to be unified.)
    /// </summary>
    public static class ProductItemKeys
    {
        public const string IndexName = "GSI1";
        public const string ProductEntityType = "PRODUCT";
        public const string CategoryEntityType = "CATEGORY";
        /// <summary>The constant GSI1 partition holding every category item.</summary>
        public const string CategoryTypePartition = "TYPE#category";
        public const string ProductSortPrefix = "PRODUCT#";
        public const string CategorySortPrefix = "CATEGORY#";

        public static string ProductPk(string id) => "PRODUCT#" + id;
        public static string ProductSk(string id) => "PRODUCT#" + id;
        /// <summary>GSI1PK of a product: the partition of its category.</summary>
        public static string CategoryPartition(string category) => "CATEGORY#" + category;
        public static string ProductGsi1Sk(string nameEn) => "PRODUCT#" + nameEn;

        public static string CategoryPk(string id) => "CATEGORY#" + id;
        public static string CategorySk(string id) => "CATEGORY#" + id;
        public static string CategoryGsi1Sk(string name) => "CATEGORY#" + name;
    }
}
