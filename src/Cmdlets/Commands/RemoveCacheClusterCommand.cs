using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;

namespace EcommerceAws.Commands
{
    /// <summary>Deletes the shop's ElastiCache cache (cache cluster, replication group with all its nodes, or serverless cache).</summary>
    /// <remarks>
    /// <para>All cached data is lost; the application falls back to DynamoDB until a new cache is warmed. The command asks for confirmation (ConfirmImpact High). No final snapshot is taken.</para>
    /// <para>It waits until the cache is gone, with a progress bar (several minutes on AWS); -NoWait returns once ElastiCache has accepted the deletion (the cache shows status deleting). Every cmdlet that starts a long AWS operation waits by default and takes -NoWait. A cache that is already being deleted is waited for (or, with -NoWait, left as it is); an id that does not exist is an error (CacheClusterNotFound). Like Remove-Item, it outputs nothing; -Verbose says what it deleted.</para>
    /// </remarks>
    /// <example>
    /// <code>Remove-CacheCluster -CacheClusterId ecommerce-redis -Confirm:$false -NoWait</code>
    /// <para>Deletes the guide's cache without asking, and returns without waiting for it to be gone.</para>
    /// </example>
    /// <example>
    /// <code>Get-CacheCluster shop-cache | Remove-CacheCluster -WhatIf</code>
    /// <para>Shows what would be deleted, deleting nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "CacheCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveCacheClusterCommand : AwsCmdlet
    {
        /// <summary><para>Id of the cache to delete (cache cluster id, replication group id or serverless cache name).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>Return once ElastiCache has accepted the deletion instead of waiting until the cache is gone.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        /// <summary><para>Accepted for scripts written before waiting became the default; it changes nothing.</para></summary>
        [Parameter(DontShow = true)]
        public SwitchParameter Wait { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.CacheClusterId(CacheClusterId));
            string id = CacheIds.Normalize(CacheClusterId);
            if (!ShouldProcess(id, "Delete ElastiCache cache and all its cached data")) return;
            Run(context => new CacheClusterService().RemoveAsync(id, !NoWait, context));
        }
    }
}
