using System.Threading.Tasks;

namespace EcommerceAws.Contract
{
    /// <summary>Facts about the AWS setup in use (engine side).</summary>
    public interface IAwsInfoService
    {
        /// <summary>The region the SDK chain resolves for these options (AwsRegionMissing when none).</summary>
        string ResolveRegion(IOperationContext context);

        /// <summary>The account id (STS GetCallerIdentity).</summary>
        Task<string> GetAccountIdAsync(IOperationContext context);
    }
}
