using System.Threading;

namespace EcommerceAws.Contract
{
    /// <summary>Where the engine reports to; the cmdlet relays everything on the pipeline thread.</summary>
    public interface IOperationContext
    {
        AwsOptions Aws { get; }
        CancellationToken Cancellation { get; }
        void WriteVerbose(string message);
        void WriteWarning(string message);
        void WriteProgress(ProgressUpdate update);
        /// <summary>Streams one output object (for results that arrive page by page).</summary>
        void WriteObject(object item);
        /// <summary>A per-item problem: a non-terminating error; the operation carries on.</summary>
        void WriteError(EcommerceException error);

        /// <summary>
        /// Asks the user whether to go on (ShouldContinue on the pipeline thread): true when they say yes, when -Force was given,
        /// or when nobody can answer (a non-interactive session, which gets the warning only); false when they say no.
        /// </summary>
        System.Threading.Tasks.Task<bool> ShouldContinueAsync(string query, string caption) => System.Threading.Tasks.Task.FromResult(true);
    }

    /// <summary>The common AWS parameters (-Region, -ProfileName, -EndpointUrl); nulls mean "use the SDK's chain".</summary>
    public sealed class AwsOptions
    {
        public AwsOptions(string region, string profileName, string endpointUrl)
        {
            Region = string.IsNullOrWhiteSpace(region) ? null : region.Trim();
            ProfileName = string.IsNullOrWhiteSpace(profileName) ? null : profileName.Trim();
            EndpointUrl = string.IsNullOrWhiteSpace(endpointUrl) ? null : endpointUrl.Trim();
        }

        public string Region { get; }
        public string ProfileName { get; }
        public string EndpointUrl { get; }

        public static AwsOptions Default { get; } = new AwsOptions(null, null, null);
    }

    /// <summary>One Write-Progress update, free of PowerShell types so the engine can raise it.</summary>
    public sealed class ProgressUpdate
    {
        public int ActivityId { get; set; } = 1;
        public int ParentActivityId { get; set; } = -1;
        public string Activity { get; set; }
        public string Status { get; set; } = "Working";
        public string CurrentOperation { get; set; }
        public int PercentComplete { get; set; } = -1;
        public int SecondsRemaining { get; set; } = -1;
        public bool Completed { get; set; }
    }
}
