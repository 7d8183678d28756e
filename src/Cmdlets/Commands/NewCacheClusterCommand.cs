using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Creates the shop's ElastiCache cache (Redis or Valkey): a single node, a replication group or a serverless cache.</summary>
    /// <remarks>
    /// <para>-Mode SingleNode (default) is the guide's create-cache-cluster: one cache.t3.micro Redis node, no TLS. -Mode ReplicationGroup creates a primary plus -ReplicaCount replicas (default 1) with automatic failover and Multi-AZ when there is at least one replica, encryption in transit (TLS) and at rest, and an optional AUTH token given as a SecureString. -Mode Serverless creates an ElastiCache Serverless cache, always with TLS.</para>
    /// <para>-Engine Valkey with -Mode SingleNode is created as a replication group of one node (Mode ReplicationGroup in the output, with TLS and encryption at rest): ElastiCache's CreateCacheCluster accepts only the engines memcached and redis.</para>
    /// <para>ElastiCache stores cache ids lower-case, and so does this command: -CacheClusterId Shop-Cache creates, finds and removes shop-cache.</para>
    /// <para>The command waits until the cache is available (5 to 15 minutes on AWS) with progress; -NoWait returns at once. Running it again with the same id returns the existing cache (AlreadyExisted is true) instead of creating a second one; an id already used by a cache of another mode is an error (CacheClusterModeMismatch).</para>
    /// <para>ElastiCache endpoints are reachable only from inside their VPC. An app hosted outside AWS (the guide suggests Railway) cannot connect without a VPN, VPC peering or a tunnel; the command warns about this every time.</para>
    /// <para>RedisUrl is redis://host:port, or rediss://host:port with TLS; it never contains the AUTH token. When ElastiCache reports no endpoint (still creating, or a local stand-in such as moto) RedisUrl stays empty and a warning says why.</para>
    /// </remarks>
    /// <example>
    /// <code>New-CacheCluster -CacheClusterId ecommerce-redis</code>
    /// <para>The guide's Step 1.4: one cache.t3.micro Redis node, waiting until it is available.</para>
    /// </example>
    /// <example>
    /// <code>$token = Read-Host -AsSecureString 'AUTH token'
    /// New-CacheCluster -CacheClusterId shop-cache -Mode ReplicationGroup -ReplicaCount 2 -AuthToken $token -SubnetGroupName shop-private -SecurityGroupId sg-0123456789abcdef0</code>
    /// <para>A production cache: a primary and two replicas across availability zones, TLS, encryption at rest, and an AUTH token that is never printed.</para>
    /// </example>
    /// <example>
    /// <code>New-CacheCluster -CacheClusterId shop-cache -Engine Valkey -Mode Serverless -NoWait</code>
    /// <para>Starts a serverless Valkey cache and returns without waiting.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "CacheCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CacheClusterInfo))]
    public sealed class NewCacheClusterCommand : AwsCmdlet
    {
        private static readonly Regex NodeTypePattern = new Regex(@"^cache\.[a-z0-9]+\.[a-z0-9]+$", RegexOptions.CultureInvariant);
        private static readonly Regex SecurityGroupPattern = new Regex(@"^sg-[0-9a-f]{8,17}$", RegexOptions.CultureInvariant);

        #region Parameters

        /// <summary><para>Id of the cache: 1 to 40 letters, digits or hyphens, starting with a letter, no '--', not ending with '-'. Used as the cache cluster id, replication group id or serverless cache name depending on -Mode. Stored lower-case, as ElastiCache does.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(CacheClusterIdCompleter))]
        public string CacheClusterId { get; set; }

        /// <summary><para>Redis (default, as in the guide) or Valkey (the open-source Redis fork ElastiCache also offers, at a lower price). A single Valkey node is a one-node replication group (CreateCacheCluster accepts only redis and memcached).</para></summary>
        [Parameter]
        public CacheEngine Engine { get; set; } = CacheEngine.Redis;

        /// <summary><para>Node type for SingleNode and ReplicationGroup, for example cache.t3.micro (default) or cache.r7g.large. Not used by Serverless.</para></summary>
        [Parameter]
        public string NodeType { get; set; } = "cache.t3.micro";

        /// <summary><para>SingleNode (default; one node, no TLS), ReplicationGroup (primary + replicas, failover, TLS, encryption at rest) or Serverless (TLS always).</para></summary>
        [Parameter]
        public CacheMode Mode { get; set; } = CacheMode.SingleNode;

        /// <summary><para>Number of replicas besides the primary with -Mode ReplicationGroup: 0 to 5, default 1. With 1 or more, automatic failover and Multi-AZ are on.</para></summary>
        [Parameter]
        public int ReplicaCount { get; set; } = 1;

        /// <summary><para>Redis AUTH token for -Mode ReplicationGroup, as a SecureString: 16 to 128 characters, only A-Z, a-z, 0-9 and the special characters ! &amp; # $ ^ &lt; &gt; - (ElastiCache's rule; others are refused before any call). It is sent only to ElastiCache and never written to any stream or to RedisUrl.</para></summary>
        [Parameter]
        public SecureString AuthToken { get; set; }

        /// <summary><para>A cache subnet group naming the private subnets of your VPC. Default: ElastiCache's default subnet group (default VPC).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SubnetGroupName { get; set; }

        /// <summary><para>VPC security group ids (sg-...) for the cache. Default: the VPC's default security group.</para></summary>
        [Parameter]
        public string[] SecurityGroupId { get; set; }

        /// <summary><para>Tags as a hashtable, for example @{ Project = 'shop' }. ManagedBy=EcommerceAws is always added.</para></summary>
        [Parameter]
        public Hashtable Tag { get; set; }

        /// <summary><para>Return right after the create request instead of waiting for the cache to be available.</para></summary>
        [Parameter]
        public SwitchParameter NoWait { get; set; }

        #endregion

        #region Method overrides

        protected override void ProcessRecord()
        {
            ValidateInput();
            string id = CacheIds.Normalize(CacheClusterId);
            bool oneNodeGroup = new CacheClusterSpec { Engine = Engine, Mode = Mode }.Resolved().Mode != Mode;
            string what = Mode switch
            {
                _ when oneNodeGroup => $"Create ElastiCache {Engine} replication group of one {NodeType} node (no replica; TLS, encryption at rest), since CreateCacheCluster takes only redis or memcached",
                CacheMode.ReplicationGroup => $"Create ElastiCache {Engine} replication group ({NodeType}, 1 primary + {ReplicaCount} replica(s), TLS, encryption at rest)",
                CacheMode.Serverless => $"Create ElastiCache {Engine} serverless cache (TLS)",
                _ => $"Create ElastiCache {Engine} cache cluster (one {NodeType} node)",
            };
            if (!ShouldProcess(id, what)) return;
            var spec = new CacheClusterSpec
            {
                CacheClusterId = id,
                Engine = Engine,
                NodeType = NodeType,
                Mode = Mode,
                ReplicaCount = ReplicaCount,
                // The only place the token exists as plain text: the spec handed to the engine call.
                AuthToken = AuthToken == null ? null : new NetworkCredential(string.Empty, AuthToken).Password,
                SubnetGroupName = SubnetGroupName,
                SecurityGroupIds = SecurityGroupId,
                Tags = ManagedTags.With(Tag),
                Wait = !NoWait,
            };
            WriteObject(Run(context => new CacheClusterService().CreateAsync(spec, context)));
        }

        #endregion

        private void ValidateInput()
        {
            CheckInput(() => InputValidation.CacheClusterId(CacheClusterId));
            if (NodeType == null || !NodeTypePattern.IsMatch(NodeType))
                ThrowInputError("InvalidNodeType", NodeType, $"'{NodeType}' is not an ElastiCache node type (cache.<family>.<size>).",
                    "Use a node type such as cache.t3.micro or cache.r7g.large.");
            bool replicasGiven = MyInvocation.BoundParameters.ContainsKey(nameof(ReplicaCount));
            if (replicasGiven && Mode != CacheMode.ReplicationGroup)
                ThrowInputError("ReplicaCountNeedsReplicationGroup", ReplicaCount, $"-ReplicaCount applies only to -Mode ReplicationGroup; the mode is {Mode}.",
                    "Add -Mode ReplicationGroup, or leave out -ReplicaCount.");
            if (ReplicaCount < 0 || ReplicaCount > 5)
                ThrowInputError("InvalidReplicaCount", ReplicaCount, $"-ReplicaCount must be 0 to 5; it was {ReplicaCount}.", "Pass -ReplicaCount 0 to 5 (1 or more turns on failover).");
            if (AuthToken != null)
            {
                if (Mode != CacheMode.ReplicationGroup)
                    ThrowInputError("AuthTokenNeedsReplicationGroup", Mode, $"-AuthToken needs encryption in transit, which this module turns on with -Mode ReplicationGroup; the mode is {Mode}.",
                        "Add -Mode ReplicationGroup, or leave out -AuthToken.");
                CheckInput(() => InputValidation.CacheAuthToken(new NetworkCredential(string.Empty, AuthToken).Password));
            }
            foreach (string group in SecurityGroupId ?? System.Array.Empty<string>())
                if (group == null || !SecurityGroupPattern.IsMatch(group))
                    ThrowInputError("InvalidSecurityGroupId", group, $"'{group}' is not a security group id (sg- followed by 8 or 17 hexadecimal digits).",
                        "Pass ids such as sg-0123456789abcdef0 (aws ec2 describe-security-groups lists them).");
            if (Mode == CacheMode.Serverless && MyInvocation.BoundParameters.ContainsKey(nameof(NodeType)))
                WriteWarning("-NodeType does not apply to -Mode Serverless (it scales on its own); it is ignored.");
        }
    }
}
