namespace EcommerceAws.Contract
{
    /// <summary>The entities of the single table (docs/DESIGN.md §4), in migration order.</summary>
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes "Completed", not 1
    public enum EcommerceEntity
    {
        Category,
        Product,
        User,
        Order,
    }
}
