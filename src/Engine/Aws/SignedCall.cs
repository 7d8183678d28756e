using System;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading.Tasks;
using Amazon.Runtime;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// <see cref="AwsCall"/> for the hand-written clients: the same error mapping, plus "not found" codes that mean
    /// "absent" (the caller gets default) and the transport's raw HttpRequestException as AwsEndpointUnreachable.
    /// </summary>
    internal static class SignedCall
    {
        public static async Task<T> Run<T>(Func<Task<T>> call, string operation, object target, params string[] absentCodes)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (AmazonServiceException ex) when (absentCodes.Contains(ex.ErrorCode))
            {
                return default;
            }
            catch (AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, target, operation);
            }
            catch (HttpRequestException ex)
            {
                throw EcommerceErrors.AwsEndpointUnreachable(operation, target, ex);
            }
        }
    }
}
