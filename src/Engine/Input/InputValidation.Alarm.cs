using System.Management.Automation;
using System.Text.RegularExpressions;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    public static partial class InputValidation
    {
        private static readonly Regex LambdaNamePattern = new Regex(@"^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant);
        private static readonly Regex SnsTopicArnPattern = new Regex(@"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$", RegexOptions.CultureInvariant);

        /// <summary>The resources New/Get/Remove-EcommerceAlarm derive alarm names from: at least one, each well-formed.</summary>
        public static void AlarmTargets(string tableName, string bucketName, string cacheClusterId, string lambdaFunctionName, string snsTopicArn)
        {
            if (tableName == null && bucketName == null && cacheClusterId == null && lambdaFunctionName == null)
                throw new EcommerceException("AlarmTargetMissing", ErrorCategory.InvalidArgument, null,
                    "No resource to watch was given.",
                    "Pass -TableName, -BucketName, -CacheClusterId and/or -LambdaFunctionName, or pipe an EcommerceStack object.");
            if (tableName != null) TableName(tableName);
            if (cacheClusterId != null) CacheClusterId(cacheClusterId);
            if (bucketName != null) AssetInputValidation.BucketName(bucketName);
            if (lambdaFunctionName != null && !LambdaNamePattern.IsMatch(lambdaFunctionName))
                throw new EcommerceException("InvalidLambdaFunctionName", ErrorCategory.InvalidArgument, lambdaFunctionName,
                    $"'{lambdaFunctionName}' is not a Lambda function name: use 1 to 64 letters, digits, hyphens and underscores.",
                    "Pass the function's name (not its ARN), for example shop-api.");
            if (snsTopicArn != null && !SnsTopicArnPattern.IsMatch(snsTopicArn))
                throw new EcommerceException("InvalidSnsTopicArn", ErrorCategory.InvalidArgument, snsTopicArn,
                    $"'{snsTopicArn}' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>).",
                    "Copy the ARN from 'aws sns list-topics', for example arn:aws:sns:us-east-1:123456789012:shop-alerts.");
        }
    }
}
