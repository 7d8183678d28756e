using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    public sealed class AwsInfoService
    {
        public string ResolveRegion(IOperationContext context) => AwsEnvironment.ResolveRegion(context.Aws).SystemName;

        public async Task<string> GetAccountIdAsync(IOperationContext context)
        {
            using IAmazonSecurityTokenService sts = AwsClientFactory.Sts(context.Aws);
            GetCallerIdentityResponse identity = await AwsCall.Run(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), context.Cancellation),
                "GetCallerIdentity", null).ConfigureAwait(false);
            return identity.Account;
        }
    }
}
