using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>Checks of product input that run before any AWS call; each failure has a stable ErrorId.</summary>
    public static class ProductValidation
    {
        public static void Id(string id)
        {
            if (string.IsNullOrWhiteSpace(id) || id.Trim() != id || id.Length > 200)
                throw new EcommerceException("InvalidProductId", ErrorCategory.InvalidArgument, id,
                    $"'{id}' is not a product id: an id is a non-empty string without surrounding spaces (for example 65f1c2a9e4b0a1b2c3d4e5f6).",
                    "Pass the id shown by Get-EcommerceProduct.");
        }

        /// <summary>Checks the given fields; <paramref name="creating"/> also requires NameEn and Category (the keys need them).</summary>
        public static void Fields(ProductFields fields, bool creating)
        {
            if ((creating || fields.NameEn != null) && string.IsNullOrWhiteSpace(fields.NameEn))
                throw new EcommerceException("MissingNameEn", ErrorCategory.InvalidArgument, fields.NameEn,
                    "-NameEn is required and may not be empty: the English name is part of the product's index key (GSI1SK = PRODUCT#<nameEn>).",
                    "Pass -NameEn, for example -NameEn 'Ndole spice mix'.");
            if ((creating || fields.Category != null) && string.IsNullOrWhiteSpace(fields.Category))
                throw new EcommerceException("MissingCategory", ErrorCategory.InvalidArgument, fields.Category,
                    "-Category is required and may not be empty: the category is the product's index partition (GSI1PK = CATEGORY#<category>).",
                    "Pass -Category, for example -Category Electronics.");
            if (fields.Price is decimal price && price < 0)
                throw new EcommerceException("InvalidPrice", ErrorCategory.InvalidArgument, price,
                    $"-Price must be zero or more (XAF); it was {price}.", "Pass the price in CFA francs, for example -Price 15000.");
            if (fields.Stock is long stock && stock < 0)
                throw new EcommerceException("InvalidStock", ErrorCategory.InvalidArgument, stock,
                    $"-Stock must be zero or more; it was {stock}.", "Pass the number of items in stock, for example -Stock 12.");
            if (fields.Images != null)
                foreach (string image in fields.Images)
                    if (string.IsNullOrWhiteSpace(image))
                        throw new EcommerceException("InvalidImage", ErrorCategory.InvalidArgument, image,
                            "-Images may not contain empty entries.", "Pass image URLs or upload paths, for example -Images '/uploads/phone.jpg'.");
        }
    }
}
