namespace EcommerceAws.Contract
{
    /// <summary>The entities of the single table (docs/DESIGN.md §4), in migration order.</summary>
    public enum EcommerceEntity
    {
        Category,
        Product,
        User,
        Order,
    }
}
