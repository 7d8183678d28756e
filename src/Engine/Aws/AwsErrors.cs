using System;
using System.Management.Automation;
using System.Net;
using Amazon.Runtime;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>Turns AWS service errors into EcommerceExceptions: the AWS error code in the ErrorId, the request id in the message.</summary>
    internal static class AwsErrors
    {
        public static EcommerceException From(AmazonServiceException ex, object target, string operation) =>
            From(ex.ErrorCode, ex.Message, ex.RequestId, (int)ex.StatusCode, target, operation, ex);

        public static EcommerceException From(string errorCode, string message, string requestId, int statusCode,
            object target, string operation, Exception inner = null)
        {
            string code = string.IsNullOrEmpty(errorCode) ? "HttpStatus" + statusCode : errorCode;
            string text = $"{operation} failed: {code}: {message}" + (string.IsNullOrEmpty(requestId) ? "" : $" (request id {requestId})");
            return new EcommerceException("Aws." + code, CategoryFor(code, statusCode), target, text, RecommendationFor(code), inner);
        }

        private static ErrorCategory CategoryFor(string code, int status)
        {
            if (code.Contains("NotFound") || code.StartsWith("NoSuch", StringComparison.Ordinal) || status == 404) return ErrorCategory.ObjectNotFound;
            if (code.Contains("AccessDenied") || code.Contains("Unauthorized") || status == 403) return ErrorCategory.PermissionDenied;
            if (code.Contains("Credential") || code.Contains("Signature") || code.Contains("Token")) return ErrorCategory.AuthenticationError;
            if (code.Contains("Throttl") || code.Contains("LimitExceeded") || status == 429) return ErrorCategory.LimitsExceeded;
            if (code.Contains("InUse") || code.Contains("AlreadyExists") || code.Contains("Conflict") || status == 409) return ErrorCategory.ResourceExists;
            if (code.Contains("Validation") || code.Contains("Invalid") || status == 400) return ErrorCategory.InvalidArgument;
            return ErrorCategory.NotSpecified;
        }

        private static string RecommendationFor(string code)
        {
            if (code.Contains("AccessDenied") || code.Contains("Unauthorized"))
                return "Check that the credentials in use have the permissions in Get-EcommerceIamPolicy.";
            if (code.Contains("Throttl") || code.Contains("LimitExceeded"))
                return "Wait and run the command again; for migrations lower -MaxConcurrency.";
            if (code.Contains("Credential") || code.Contains("Signature") || code.Contains("Token"))
                return "Check -ProfileName / AWS_PROFILE and that the keys are current.";
            return null;
        }

        public static bool IsRetryable(string code, int statusCode) =>
            statusCode >= 500 || statusCode == 429 ||
            code is "Throttling" or "ThrottlingException" or "ThrottledException" or "RequestLimitExceeded"
                or "ProvisionedThroughputExceededException" or "RequestThrottled" or "SlowDown" or "TooManyRequestsException"
                or "PriorRequestNotComplete" or "ServiceUnavailable" or "InternalFailure";
    }
}
