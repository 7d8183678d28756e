using System.Threading;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Input
{
    /// <summary>
    /// An operation context that turns warnings into verbose lines: for look-ups a command makes on the side (the nodes of
    /// a cache for its alarms, the stack before removing it), whose warnings would repeat what the user already saw.
    /// </summary>
    public sealed class WarningsAsVerbose : IOperationContext
    {
        private readonly IOperationContext inner;

        public WarningsAsVerbose(IOperationContext inner) => this.inner = inner;

        public AwsOptions Aws => inner.Aws;
        public CancellationToken Cancellation => inner.Cancellation;
        public void WriteVerbose(string message) => inner.WriteVerbose(message);
        public void WriteWarning(string message) => inner.WriteVerbose(message);
        public void WriteProgress(ProgressUpdate update) => inner.WriteProgress(update);
        public void WriteObject(object item) => inner.WriteObject(item);
        public void WriteError(EcommerceException error) => inner.WriteError(error);
        /// <summary>Its warnings are verbose, so nobody is asked either: the question's answer is yes.</summary>
        public System.Threading.Tasks.Task<bool> ShouldContinueAsync(string query, string caption) => System.Threading.Tasks.Task.FromResult(true);
    }
}
