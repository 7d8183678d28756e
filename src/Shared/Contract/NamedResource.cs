namespace EcommerceAws.Contract
{
    /// <summary>A resource's name (or id) with a one-line description, as the engine's list look-ups return it (argument completion).</summary>
    public sealed class NamedResource
    {
        public NamedResource(string name, string description = null)
        {
            Name = name;
            Description = string.IsNullOrWhiteSpace(description) ? name : description;
        }

        public string Name { get; }
        public string Description { get; }
    }
}
