using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Amazon;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    public sealed class AwsInfoService
    {
        // The same rule as -Region's ValidatePattern: only names the cmdlets accept are offered.
        private static readonly Regex RegionName = new Regex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$", RegexOptions.CultureInvariant);

        public string ResolveRegion(IOperationContext context) => AwsEnvironment.ResolveRegion(context.Aws).SystemName;

        public async Task<string> GetAccountIdAsync(IOperationContext context)
        {
            using IAmazonSecurityTokenService sts = AwsClientFactory.Sts(context.Aws);
            GetCallerIdentityResponse identity = await AwsCall.Run(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), context.Cancellation),
                "GetCallerIdentity", null).ConfigureAwait(false);
            return identity.Account;
        }

        /// <summary>
        /// The regions AWSSDK.Core knows, limited to the partition of the region already configured (options, AWS_REGION,
        /// AWS_DEFAULT_REGION, the profile's region) when there is one; no network call, no instance metadata.
        /// </summary>
        public IReadOnlyList<NamedResource> ListRegions(AwsOptions options)
        {
            string partition = null;
            string configured = AwsEnvironment.TryResolveRegionName(options);
            if (configured != null)
            {
                try { partition = AwsPartition.Of(configured).Name; }
                catch (Exception) { } // an unknown name: offer every region
            }
            return RegionEndpoint.EnumerableAllRegions
                .Where(r => RegionName.IsMatch(r.SystemName) && (partition == null || AwsPartition.Of(r).Name == partition))
                .OrderBy(r => r.SystemName, StringComparer.Ordinal)
                .Select(r => new NamedResource(r.SystemName, $"{r.SystemName} — {r.DisplayName}"))
                .ToList();
        }

        /// <summary>Profile names (and regions) from the shared config and credentials files, at the paths AWS_CONFIG_FILE /
        /// AWS_SHARED_CREDENTIALS_FILE name now; no secret is read into the result.</summary>
        public IReadOnlyList<NamedResource> ListProfileNames() =>
            SharedProfileFiles.ReadProfiles()
                .Select(p => new NamedResource(p.Key, p.Value == null ? p.Key : $"{p.Key} ({p.Value})"))
                .ToList();
    }
}
