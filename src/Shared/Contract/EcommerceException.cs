using System;
using System.Management.Automation;

namespace EcommerceAws.Contract
{
    /// <summary>
    /// An error with everything an ErrorRecord needs: a stable ErrorId, a category, the offending value and
    /// what to do about it. The engine throws it; cmdlets turn it into an ErrorRecord.
    /// </summary>
    public sealed class EcommerceException : Exception, IContainsErrorRecord
    {
        public EcommerceException(string errorId, ErrorCategory category, object targetObject, string message,
            string recommendedAction = null, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            TargetObject = targetObject;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
        public object TargetObject { get; }
        public string RecommendedAction { get; }

        /// <summary>Lets PowerShell build the right ErrorRecord even when the exception escapes a cmdlet unhandled.</summary>
        public ErrorRecord ErrorRecord => ToErrorRecord();

        public ErrorRecord ToErrorRecord()
        {
            var record = new ErrorRecord(this, ErrorId, Category, TargetObject);
            if (!string.IsNullOrEmpty(RecommendedAction))
                record.ErrorDetails = new ErrorDetails(Message) { RecommendedAction = RecommendedAction };
            return record;
        }
    }
}
