using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.CloudWatch;
using EcommerceAws.Engine.ElastiCache;
using EcommerceAws.Engine.Tables;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Tab completion for names that live in AWS (tables, buckets, distributions, caches, alarms): a live look-up through
    /// the engine with the -Region/-ProfileName/-EndpointUrl already typed on the command line, bounded by
    /// <see cref="Timeout"/> and cached per kind, region, profile, endpoint and access key for <see cref="CacheLifetime"/>.
    /// Without credentials or region, or when the service does not answer in time, it offers nothing and says nothing
    /// (an empty answer also keeps PowerShell from offering file names instead).
    /// </summary>
    public abstract class AwsLookupCompleter : IArgumentCompleter
    {
        /// <summary>How long one Tab may wait for AWS.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
        /// <summary>How long a successful look-up is reused.</summary>
        public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);
        /// <summary>How long a failed or timed-out look-up is remembered, so repeated Tabs do not wait again.</summary>
        public static readonly TimeSpan FailureLifetime = TimeSpan.FromSeconds(10);

        private static readonly ConcurrentDictionary<string, CachedLookup> Cache = new ConcurrentDictionary<string, CachedLookup>(StringComparer.Ordinal);

        /// <summary>The engine look-up; the context reports nowhere and is cancelled after <see cref="Timeout"/>.</summary>
        internal abstract Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix);

        /// <summary>The AWS_ENDPOINT_URL_&lt;SERVICE&gt; suffix of the service asked.</summary>
        internal abstract string ServiceEnvironmentName { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                AwsOptions options = Completion.OptionsFrom(fakeBoundParameters);
                string prefix = Completion.Unquote(wordToComplete);
                return Completion.Results(Lookup(options, prefix), wordToComplete);
            }
            catch (Exception)
            {
                return Array.Empty<CompletionResult>(); // Tab must never fail or print
            }
        }

        private IReadOnlyList<NamedResource> Lookup(AwsOptions options, string prefix)
        {
            string key = string.Join("|", GetType().Name, options.Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION"),
                options.ProfileName ?? Env("AWS_PROFILE"), options.EndpointUrl ?? Env("AWS_ENDPOINT_URL_" + ServiceEnvironmentName) ?? Env("AWS_ENDPOINT_URL"),
                Env("AWS_ACCESS_KEY_ID"));
            DateTime now = DateTime.UtcNow;
            if (Cache.TryGetValue(key, out CachedLookup cached) && cached.Expires > now) return cached.Items;

            IReadOnlyList<NamedResource> items = Array.Empty<NamedResource>();
            bool succeeded = false;
            var cancellation = new CancellationTokenSource(Timeout); // not disposed: an abandoned look-up still holds its token
            var context = new SilentContext(options, cancellation.Token);
            Task<IReadOnlyList<NamedResource>> task = Task.Run(() => ListAsync(context, null));
            try
            {
                if (task.Wait(Timeout))
                {
                    items = task.Result ?? Array.Empty<NamedResource>();
                    succeeded = true;
                }
                else
                {
                    cancellation.Cancel();
                    _ = task.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed, never reported
                }
            }
            catch (Exception)
            {
                // no credentials, no region, unreachable endpoint, access denied: nothing to offer
            }
            Cache[key] = new CachedLookup(items, now + (succeeded ? CacheLifetime : FailureLifetime));
            return items;
        }

        private static string Env(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        private sealed class CachedLookup
        {
            internal CachedLookup(IReadOnlyList<NamedResource> items, DateTime expires)
            {
                Items = items;
                Expires = expires;
            }

            internal IReadOnlyList<NamedResource> Items { get; }
            internal DateTime Expires { get; }
        }

        /// <summary>An operation context that reports nothing: a completer must not write to any stream.</summary>
        private sealed class SilentContext : IOperationContext
        {
            internal SilentContext(AwsOptions aws, CancellationToken cancellation)
            {
                Aws = aws;
                Cancellation = cancellation;
            }

            public AwsOptions Aws { get; }
            public CancellationToken Cancellation { get; }
            public void WriteVerbose(string message) { }
            public void WriteWarning(string message) { }
            public void WriteProgress(ProgressUpdate update) { }
            public void WriteObject(object item) { }
            public void WriteError(EcommerceException error) { }
        }
    }

    /// <summary>Completes -TableName with the region's DynamoDB tables.</summary>
    public sealed class TableNameCompleter : AwsLookupCompleter
    {
        internal override string ServiceEnvironmentName => "DYNAMODB";

        internal override async Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix) =>
            (await new TableService().ListTableNamesAsync(context).ConfigureAwait(false)).Select(n => new NamedResource(n)).ToList();
    }

    /// <summary>Completes -BucketName with the account's S3 buckets.</summary>
    public sealed class BucketNameCompleter : AwsLookupCompleter
    {
        internal override string ServiceEnvironmentName => "S3";

        internal override Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix) =>
            new BucketService().ListBucketNamesAsync(context);
    }

    /// <summary>Completes -DistributionId with the account's CloudFront distributions (domain and origin in the tooltip).</summary>
    public sealed class DistributionIdCompleter : AwsLookupCompleter
    {
        internal override string ServiceEnvironmentName => "CLOUDFRONT";

        internal override Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix) =>
            new CdnService().ListDistributionsAsync(context);
    }

    /// <summary>Completes -CacheClusterId with the region's replication groups, cache clusters and serverless caches.</summary>
    public sealed class CacheClusterIdCompleter : AwsLookupCompleter
    {
        internal override string ServiceEnvironmentName => "ELASTICACHE";

        internal override Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix) =>
            new CacheClusterService().ListCacheIdsAsync(context);
    }

    /// <summary>Completes -AlarmName with the region's CloudWatch alarm names (state in the tooltip; the first 1,000).</summary>
    public sealed class AlarmNameCompleter : AwsLookupCompleter
    {
        internal override string ServiceEnvironmentName => "CLOUDWATCH";

        internal override Task<IReadOnlyList<NamedResource>> ListAsync(IOperationContext context, string prefix) =>
            new EcommerceAlarmService().ListAlarmNamesAsync(prefix, 1000, context);
    }

    /// <summary>Completes -Region with the regions of the configured partition (all regions when none is configured); offline.</summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                AwsOptions typed = Completion.OptionsFrom(fakeBoundParameters);
                // The region being typed must not pick the partition.
                var options = new AwsOptions(null, typed.ProfileName, typed.EndpointUrl);
                return Completion.Results(new AwsInfoService().ListRegions(options), wordToComplete);
            }
            catch (Exception)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }

    /// <summary>Completes -ProfileName with the profiles of the shared AWS config and credentials files; offline.</summary>
    public sealed class ProfileNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                return Completion.Results(new AwsInfoService().ListProfileNames(), wordToComplete);
            }
            catch (Exception)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }

    internal static class Completion
    {
        internal static AwsOptions OptionsFrom(IDictionary fakeBoundParameters) =>
            new AwsOptions(Text(fakeBoundParameters, "Region"), Text(fakeBoundParameters, "ProfileName"), Text(fakeBoundParameters, "EndpointUrl"));

        private static string Text(IDictionary bound, string name)
        {
            if (bound == null || !bound.Contains(name)) return null;
            object value = bound[name];
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            return value as string;
        }

        internal static string Unquote(string word) => (word ?? string.Empty).Trim('\'', '"');

        /// <summary>The resources whose name starts with the typed word (wildcards allowed), sorted, quoted when needed.</summary>
        internal static List<CompletionResult> Results(IEnumerable<NamedResource> resources, string wordToComplete)
        {
            string typed = Unquote(wordToComplete);
            var pattern = new WildcardPattern(WildcardPattern.Escape(typed).Replace("`*", "*").Replace("`?", "?") + "*", WildcardOptions.IgnoreCase);
            char quote = !string.IsNullOrEmpty(wordToComplete) && (wordToComplete[0] == '\'' || wordToComplete[0] == '"') ? wordToComplete[0] : '\0';
            return resources
                .Where(r => !string.IsNullOrEmpty(r.Name) && pattern.IsMatch(r.Name))
                .GroupBy(r => r.Name, StringComparer.Ordinal).Select(g => g.First())
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .Select(r => new CompletionResult(Quote(r.Name, quote), r.Name, CompletionResultType.ParameterValue, r.Description))
                .ToList();
        }

        private static string Quote(string name, char quote)
        {
            if (quote == '\0' && name.IndexOfAny(new[] { ' ', '\t', '\'', '"', '$', '`', ';', ',', '(', ')', '{', '}', '@', '#', '&', '|', '<', '>' }) < 0)
                return name;
            return quote == '"' ? "\"" + name.Replace("`", "``").Replace("$", "`$").Replace("\"", "`\"") + "\"" : "'" + name.Replace("'", "''") + "'";
        }
    }
}
