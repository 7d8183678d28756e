namespace EcommerceAws.Internal
{
    /// <summary>
    /// Parameter-set names, one convention for every cmdlet (docs/DESIGN.md §2): a set is named By&lt;Parameter&gt; after
    /// the parameter that selects it (ByPath, ByMongoUri, ById, ByAlarmName, …); ByResource when any of several
    /// resource names select it; All when nothing does. Module.Tests.ps1 checks every cmdlet against it.
    /// </summary>
    internal static class ParameterSets
    {
        public const string All = "All";
        public const string ByResource = "ByResource";
        public const string ByPath = "ByPath";
        public const string ByMongoUri = "ByMongoUri";
        public const string ByInputObject = "ByInputObject";
        public const string ById = "ById";
        public const string ByCategory = "ByCategory";
        public const string ByBucketName = "ByBucketName";
        public const string ByDistributionId = "ByDistributionId";
        public const string ByAlarmName = "ByAlarmName";
    }
}
