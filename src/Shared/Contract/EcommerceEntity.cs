namespace EcommerceAws.Contract
{
    /// <summary>The entities of the single table (DESIGN §4), in migration order.</summary>
    public enum EcommerceEntity
    {
        Category,
        Product,
        User,
        Order,
    }
}
