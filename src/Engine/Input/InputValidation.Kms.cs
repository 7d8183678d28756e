using System.Management.Automation;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    public static partial class InputValidation
    {
        private static readonly Regex KmsKeyArnPattern = new Regex(@"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]{1,128}$", RegexOptions.CultureInvariant);

        /// <summary>A KMS key ARN (IAM scopes key permissions by key ARN; an alias or a bare key id cannot be used as a Resource).</summary>
        public static void KmsKeyArn(string arn)
        {
            if (arn != null && KmsKeyArnPattern.IsMatch(arn)) return;
            throw new EcommerceException("InvalidKmsKeyArn", ErrorCategory.InvalidArgument, arn,
                $"'{arn}' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); IAM policies name keys by key ARN, not by alias or bare id.",
                "Look the ARN up with 'aws kms describe-key --key-id <id or alias/name> --query KeyMetadata.Arn'.");
        }
    }
}
