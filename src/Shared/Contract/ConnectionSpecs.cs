using System.Threading.Tasks;

namespace EcommerceAws.Contract
{
    /// <summary>What Test-EcommerceConnection checks; null parts are reported as skipped (MongoDB is left out when not given).</summary>
    public sealed class ConnectionTargets
    {
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string CdnDomain { get; init; }
        public CacheTarget Redis { get; init; }
        /// <summary>The source MongoDB URI; may hold a password, so it is only ever printed masked.</summary>
        public string MongoUri { get; init; }
        public int TimeoutSeconds { get; init; } = 5;
    }

}
