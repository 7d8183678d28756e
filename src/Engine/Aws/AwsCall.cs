using System;
using System.Threading.Tasks;
using Amazon.Runtime;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>Runs one SDK call and turns an AWS service error into an EcommerceException naming the operation.</summary>
    internal static class AwsCall
    {
        public static async Task<T> Run<T>(Func<Task<T>> call, string operation, object target)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, target, operation);
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                throw Unreachable(ex, operation, target);
            }
            catch (AmazonClientException ex) when (ex.InnerException is System.Net.Http.HttpRequestException http)
            {
                throw Unreachable(http, operation, target);
            }
        }

        private static EcommerceException Unreachable(Exception ex, string operation, object target) =>
            EcommerceErrors.AwsEndpointUnreachable(operation, target, ex);

        /// <summary>
        /// <see cref="Run{T}"/> for a read or write of items in <paramref name="tableName"/>: DynamoDB answers such a call on a
        /// missing table with ResourceNotFoundException (a missing index is a ValidationException), so that becomes TableNotFound.
        /// </summary>
        public static async Task<T> RunOnTable<T>(Func<Task<T>> call, string operation, object target, string tableName)
        {
            try
            {
                return await Run(call, operation, target).ConfigureAwait(false);
            }
            catch (EcommerceException ex) when (ex.ErrorId == "Aws.ResourceNotFoundException")
            {
                throw EcommerceErrors.TableNotFound(tableName);
            }
        }

        public static Task Run(Func<Task> call, string operation, object target) =>
            Run(async () => { await call().ConfigureAwait(false); return true; }, operation, target);
    }
}
