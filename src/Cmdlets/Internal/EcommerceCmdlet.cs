using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using System;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Base of every EcommerceAws cmdlet: runs engine work on a worker task while relaying its verbose,
    /// warning, progress, output and error messages on the pipeline thread (PowerShell requires that),
    /// turns Ctrl+C into cancellation and engine exceptions into ErrorRecords.
    /// </summary>
    public abstract class EcommerceCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();

        /// <summary>The AWS options engine calls get; AWS cmdlets override it with their parameters.</summary>
        protected virtual AwsOptions Aws => AwsOptions.Default;

        protected override void StopProcessing() => stopping.Cancel();

        /// <summary>
        /// The one dry-run check: true when -WhatIf is in effect, by the switch or by $WhatIfPreference (as opposed to a
        /// declined -Confirm). For cmdlets whose dry run still reads and reports (a plan), not only skips.
        /// </summary>
        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out object value)
                ? ((SwitchParameter)value).IsPresent
                : SessionState.PSVariable.GetValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true;

        /// <summary>How long a stopped cmdlet waits for the engine to record where it stopped (the status item, the resume hint).</summary>
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

        protected T Run<T>(Func<IOperationContext, Task<T>> work)
        {
            var messages = new BlockingCollection<Message>();
            var context = new PipelineContext(this, messages, Aws, stopping.Token);
            Task<T> task = Task.Run(async () =>
            {
                try { return await work(context).ConfigureAwait(false); }
                finally { messages.CompleteAdding(); }
            });
            try
            {
                foreach (Message message in messages.GetConsumingEnumerable())
                {
                    try { message.Write(); }
                    catch (PipelineStoppedException)
                    {
                        // Ctrl+C (or Stop()): the pipeline takes no more output, but the engine is still recording where it
                        // stopped. Wait for it, so the state is saved before the command returns, and let its warnings
                        // ("… Interrupted at checkpoint …; run the same command again to resume") reach the host.
                        stopping.Cancel();
                        message.WhenStopped?.Invoke();
                        DrainAfterStop(messages, task);
                        throw;
                    }
                }
            }
            catch
            {
                stopping.Cancel(); // the pipeline is gone (Ctrl+C, a downstream error): stop the worker too
                throw;
            }
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (EcommerceException ex)
            {
                ThrowTerminatingError(ex.ToErrorRecord());
                throw; // unreachable
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private void DrainAfterStop(BlockingCollection<Message> messages, Task task)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!messages.IsCompleted)
            {
                TimeSpan left = StopGrace - waited.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    WriteToHost($"Still stopping after {StopGrace.TotalSeconds:0} s; not waiting longer. If a migration's status item still says Running, its lease expires on its own and the same command resumes it.");
                    return;
                }
                try
                {
                    if (messages.TryTake(out Message late, left)) late.WhenStopped?.Invoke();
                }
                catch (InvalidOperationException) { break; } // completed meanwhile
            }
            _ = task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observed: the stop is the outcome
        }

        /// <summary>True when the user passed -Force (or its kind): <see cref="IOperationContext.ShouldContinueAsync"/> does not ask.</summary>
        protected virtual bool SkipQuestions => false;

        /// <summary>ShouldContinue, unless -Force; when nobody can answer (-NonInteractive, a host without a UI) it says so and goes on.</summary>
        private bool AskToContinue(string query, string caption)
        {
            if (SkipQuestions) return true;
            try { return ShouldContinue(query, caption); }
            catch (Exception ex) when (ex is PSInvalidOperationException or System.Management.Automation.Host.HostException or NotImplementedException or PSNotImplementedException or NullReferenceException)
            {
                WriteVerbose($"Not asked ({caption}): this session cannot prompt ({ex.GetType().Name}), so the run goes on; the warning above stands. Pass -Force to say so explicitly.");
                return true;
            }
        }

        /// <summary>A warning straight to the host, for when the pipeline no longer takes output (after Ctrl+C); honours $WarningPreference.</summary>
        private void WriteToHost(string warning)
        {
            try
            {
                object preference = SessionState.PSVariable.GetValue("WarningPreference");
                if (preference is ActionPreference.SilentlyContinue or ActionPreference.Ignore) return;
                Host?.UI?.WriteWarningLine(warning);
            }
            catch (Exception) { } // a host without a UI (a bare runspace): nowhere to write
        }

        /// <summary>One message from the engine: how it is written to the pipeline, and what remains of it once the pipeline stopped.</summary>
        private readonly record struct Message(Action Write, Action WhenStopped);

        protected void Run(Func<IOperationContext, Task> work) =>
            Run<bool>(async context => { await work(context).ConfigureAwait(false); return true; });

        /// <summary>Runs an input check (see <see cref="InputValidation"/>) and stops the cmdlet with its ErrorRecord when it fails.</summary>
        protected void CheckInput(Action check)
        {
            try { check(); }
            catch (EcommerceException ex) { ThrowTerminatingError(ex.ToErrorRecord()); }
        }

        /// <summary>Stops the cmdlet with a clear ErrorRecord; used for bad input before any AWS call.</summary>
        protected void ThrowInputError(string errorId, object offendingValue, string message, string recommendedAction,
            ErrorCategory category = ErrorCategory.InvalidArgument) =>
            ThrowTerminatingError(new EcommerceException(errorId, category, offendingValue, message, recommendedAction).ToErrorRecord());

        /// <summary>The relay between the engine's worker task and the pipeline thread.</summary>
        private sealed class PipelineContext : IOperationContext
        {
            private readonly EcommerceCmdlet cmdlet;
            private readonly BlockingCollection<Message> messages;

            internal PipelineContext(EcommerceCmdlet cmdlet, BlockingCollection<Message> messages, AwsOptions aws, CancellationToken cancellation)
            {
                this.cmdlet = cmdlet;
                this.messages = messages;
                Aws = aws;
                Cancellation = cancellation;
            }

            public AwsOptions Aws { get; }
            public CancellationToken Cancellation { get; }

            public void WriteVerbose(string message) => Post(() => cmdlet.WriteVerbose(message));
            public void WriteWarning(string message) => Post(() => cmdlet.WriteWarning(message), () => cmdlet.WriteToHost(message));
            public void WriteObject(object item) => Post(() => cmdlet.WriteObject(item));
            public void WriteError(EcommerceException error) => Post(() => cmdlet.WriteError(error.ToErrorRecord()));

            public void WriteProgress(ProgressUpdate update) => Post(() =>
            {
                var record = new ProgressRecord(update.ActivityId, update.Activity ?? "EcommerceAws", update.Status ?? "Working")
                {
                    ParentActivityId = update.ParentActivityId,
                    PercentComplete = Math.Clamp(update.PercentComplete, -1, 100),
                    SecondsRemaining = update.SecondsRemaining,
                    CurrentOperation = update.CurrentOperation,
                    RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                cmdlet.WriteProgress(record);
            });

            public Task<bool> ShouldContinueAsync(string query, string caption)
            {
                var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                Post(() =>
                {
                    try { answer.TrySetResult(cmdlet.AskToContinue(query, caption)); }
                    catch (Exception ex) { answer.TrySetException(ex); throw; }
                }, () => answer.TrySetResult(false));
                if (messages.IsAddingCompleted) answer.TrySetResult(false);
                return answer.Task;
            }

            private void Post(Action write, Action whenStopped = null)
            {
                try { messages.Add(new Message(write, whenStopped)); }
                catch (InvalidOperationException) { } // the run is over: nobody can read a late message any more

            }
        }
    }

    /// <summary>Base of every cmdlet that talks to AWS: the common -Region/-ProfileName/-EndpointUrl parameters.</summary>
    public abstract class AwsCmdlet : EcommerceCmdlet
    {
        /// <summary>
        /// <para>AWS region, for example us-east-1 or af-south-1. Default: the AWS SDK chain (AWS_REGION, the profile's region).</para>
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidatePattern(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string Region { get; set; }

        /// <summary>
        /// <para>Named profile from the shared AWS config/credentials files. Default: AWS_PROFILE, else the SDK chain.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string ProfileName { get; set; }

        /// <summary>
        /// <para>Custom endpoint URL (for example a local stand-in such as http://127.0.0.1:5000). Default: AWS_ENDPOINT_URL or the real AWS endpoint.</para>
        /// </summary>
        [Parameter]
        [ValidatePattern(@"^https?://\S+$")]
        public string EndpointUrl { get; set; }

        protected override AwsOptions Aws => new AwsOptions(Region, ProfileName, EndpointUrl);
    }
}
