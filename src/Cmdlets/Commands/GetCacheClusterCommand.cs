using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets the shop's ElastiCache cache: mode, engine, node type, status, endpoint and the REDIS_URL to use.</summary>
    /// <remarks>
    /// <para>Finds the id whichever way the cache was created: as a cache cluster, a replication group or a serverless cache. A missing id is a non-terminating error (CacheClusterNotFound).</para>
    /// <para>RedisUrl is empty, with a warning saying why, when ElastiCache reports no endpoint (the cache is still being created, or the endpoint is a local stand-in that reports none).</para>
    /// </remarks>
    /// <example>
    /// <code>Get-CacheCluster -CacheClusterId ecommerce-redis | Format-List</code>
    /// <para>Shows every property of the cache, including the RedisUrl for the .env file.</para>
    /// </example>
    /// <example>
    /// <code>$stack | Get-CacheCluster | Select-Object CacheClusterId, Status, RedisUrl</code>
    /// <para>Reads the cache of a stack object (binding -CacheClusterId by property name).</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "CacheCluster")]
    [OutputType(typeof(CacheClusterInfo))]
    public sealed class GetCacheClusterCommand : AwsCmdlet
    {
        /// <summary><para>Id of the cache (cache cluster id, replication group id or serverless cache name). Several may be given.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string[] CacheClusterId { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string id in CacheClusterId)
                CheckInput(() => InputValidation.CacheClusterId(id));
            Run(async context =>
            {
                CacheClusterService caches = new CacheClusterService();
                foreach (string id in CacheClusterId)
                {
                    CacheClusterInfo info = await caches.DescribeAsync(id, context);
                    if (info != null) context.WriteObject(info);
                    else context.WriteError(EcommerceErrors.CacheClusterNotFound(id));
                }
            });
        }
    }
}
