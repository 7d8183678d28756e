using System.Management.Automation;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>Reads and writes a bucket's policy; refuses a public policy that Block Public Access would block.</summary>
    internal static class BucketPolicyStore
    {
        public static async Task<BucketPolicyDocument> ReadAsync(IAmazonS3 s3, string bucketName, IOperationContext context)
        {
            try
            {
                GetBucketPolicyResponse response = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucketName }, context.Cancellation).ConfigureAwait(false);
                // With a custom endpoint the SDK may hand back a 404 NoSuchBucketPolicy error body as the "policy".
                string text = response.Policy ?? string.Empty;
                if (text.TrimStart().StartsWith('<'))
                {
                    if (text.Contains("NoSuchBucketPolicy", System.StringComparison.Ordinal)) return BucketPolicyDocument.Parse(null);
                    throw new EcommerceException("Aws.UnexpectedResponse", ErrorCategory.InvalidResult, bucketName,
                        $"GetBucketPolicy returned XML instead of a policy: {text.Substring(0, System.Math.Min(200, text.Length))}", null);
                }
                return BucketPolicyDocument.Parse(text);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucketPolicy")
            {
                return BucketPolicyDocument.Parse(null);
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucketName, "GetBucketPolicy");
            }
        }

        /// <summary>
        /// Writes the policy (deletes it when empty). Real S3 answers 403 to a public policy while BlockPublicPolicy is
        /// on, but local stand-ins accept it, so the check is ours: the behaviour must not depend on the endpoint.
        /// </summary>
        public static async Task WriteAsync(IAmazonS3 s3, string bucketName, BucketPolicyDocument policy, IOperationContext context)
        {
            if (policy.IsEmpty)
            {
                await AwsCall.Run(() => s3.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucketName }, context.Cancellation),
                    "DeleteBucketPolicy", bucketName).ConfigureAwait(false);
                return;
            }
            await EnsureWritableAsync(s3, bucketName, policy, context).ConfigureAwait(false);
            await AwsCall.Run(() => s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucketName, Policy = policy.ToJson() }, context.Cancellation),
                "PutBucketPolicy", bucketName).ConfigureAwait(false);
        }

        /// <summary>Throws PublicPolicyBlocked when the policy has a public statement and the bucket blocks public policies.</summary>
        public static async Task EnsureWritableAsync(IAmazonS3 s3, string bucketName, BucketPolicyDocument policy, IOperationContext context)
        {
            string[] publicStatements = policy.PublicStatementIds;
            if (publicStatements.Length == 0) return;
            PublicAccessBlockConfiguration block = await ReadPublicAccessBlockAsync(s3, bucketName, context).ConfigureAwait(false);
            if (block?.BlockPublicPolicy == true)
                throw new EcommerceException("PublicPolicyBlocked", ErrorCategory.PermissionDenied, bucketName,
                    $"Bucket '{bucketName}' blocks public policies (Block Public Access: BlockPublicPolicy is on), and its policy would contain the public statement(s) {string.Join(", ", publicStatements)}; the policy was not written.",
                    "Remove the public statement(s) from the bucket policy, or run New-AssetBucket -AllowPublicRead if the bucket really must be public.");
        }

        /// <summary>The bucket's Block Public Access settings, or null when none are set.</summary>
        public static async Task<PublicAccessBlockConfiguration> ReadPublicAccessBlockAsync(IAmazonS3 s3, string bucketName, IOperationContext context)
        {
            try
            {
                GetPublicAccessBlockResponse response = await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucketName }, context.Cancellation).ConfigureAwait(false);
                return response.PublicAccessBlockConfiguration;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchPublicAccessBlockConfiguration")
            {
                return null;
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucketName, "GetPublicAccessBlock");
            }
        }
    }
}
