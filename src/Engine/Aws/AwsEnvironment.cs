using System;
using System.Collections.Generic;
using System.Management.Automation;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// Resolves region, credentials and endpoint for one call: the explicit parameters first, then the AWS SDK's
    /// standard chain (environment variables, AWS_PROFILE, shared config files, instance roles).
    /// </summary>
    internal static class AwsEnvironment
    {
        /// <summary>
        /// The region for this call, read afresh every time (no process-wide cache, unlike the SDK's FallbackRegionFactory,
        /// which keeps its first answer): -Region, the -ProfileName profile's region, AWS_REGION, AWS_DEFAULT_REGION, the
        /// AWS_PROFILE (or default) profile's region, and last the SDK's own chain (instance metadata).
        /// </summary>
        public static RegionEndpoint ResolveRegion(AwsOptions options)
        {
            if (options.Region != null) return RegionEndpoint.GetBySystemName(options.Region);
            if (options.ProfileName != null && TryGetProfile(options.ProfileName, out CredentialProfile named) && named.Region != null)
                return named.Region;
            string fromEnvironment = Variable("AWS_REGION") ?? Variable("AWS_DEFAULT_REGION");
            if (fromEnvironment != null) return RegionEndpoint.GetBySystemName(fromEnvironment);
            if (TryGetProfile(Variable("AWS_PROFILE") ?? "default", out CredentialProfile current) && current.Region != null)
                return current.Region;
            RegionEndpoint region = null;
            // Only instance metadata is left (environment and profiles were read above); Reset drops the factory's cached first answer.
            try { FallbackRegionFactory.Reset(); region = FallbackRegionFactory.GetRegionEndpoint(); }
            catch (Exception) { } // the chain throws when nothing is configured: reported below in plain words
            return region ?? throw new EcommerceException("AwsRegionMissing", ErrorCategory.InvalidOperation, null,
                "No AWS region is set.",
                "Pass -Region (for example -Region us-east-1), set the AWS_REGION environment variable, or set 'region' in your AWS profile.");
        }

        /// <summary>
        /// The region name from -Region, AWS_REGION, AWS_DEFAULT_REGION or the profile, without the SDK's instance-metadata
        /// look-up and without throwing; null when none is set. For look-ups that must answer at once (argument completion).
        /// </summary>
        public static string TryResolveRegionName(AwsOptions options)
        {
            if (options.Region != null) return options.Region;
            IReadOnlyDictionary<string, string> profiles = SharedProfileFiles.ReadProfiles();
            // The same order as ResolveRegion: an explicit profile's region, then the environment, then AWS_PROFILE / default.
            if (options.ProfileName != null && profiles.TryGetValue(options.ProfileName, out string explicitRegion) && explicitRegion != null)
                return explicitRegion;
            foreach (string variable in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
            {
                string value = Environment.GetEnvironmentVariable(variable);
                if (!string.IsNullOrWhiteSpace(value)) return value.Trim();
            }
            string profileName = (options.ProfileName ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default").Trim();
            return profiles.TryGetValue(profileName, out string region) ? region : null;
        }

        public static AWSCredentials ResolveCredentials(AwsOptions options)
        {
            if (options.ProfileName != null)
            {
                if (new CredentialProfileStoreChain().TryGetAWSCredentials(options.ProfileName, out AWSCredentials fromProfile))
                    return fromProfile;
                throw new EcommerceException("AwsProfileNotFound", ErrorCategory.ObjectNotFound, options.ProfileName,
                    $"The AWS profile '{options.ProfileName}' was not found or has no usable credentials.",
                    "Check the name with 'aws configure list-profiles', or create it with 'aws configure --profile <name>'.");
            }
            try
            {
                // The SDK's chain (profiles, environment keys, SSO, containers, instance roles) notices AWS_PROFILE and key changes per call.
                return DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (Exception ex)
            {
                // The SDK's message ends "...returned the following errors:" and lists every provider on further lines: say what was looked at instead.
                throw new EcommerceException("AwsCredentialsMissing", ErrorCategory.AuthenticationError, null,
                    "No AWS credentials were found: not in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not in the "
                    + $"'{Variable("AWS_PROFILE") ?? "default"}' profile of ~/.aws/credentials or ~/.aws/config, and no container or instance role answered.",
                    "Pass -ProfileName, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (never put keys in scripts).", ex);
            }
        }

        /// <summary>The endpoint override: -EndpointUrl, else AWS_ENDPOINT_URL_&lt;SERVICE&gt;, else AWS_ENDPOINT_URL, else the profile's endpoint_url; null for the real AWS endpoint.</summary>
        public static string ResolveEndpoint(AwsOptions options, string serviceEnvironmentName)
        {
            if (options.EndpointUrl != null) return CheckedEndpoint(options.EndpointUrl, "-EndpointUrl");
            string perServiceName = "AWS_ENDPOINT_URL_" + serviceEnvironmentName;
            string perService = Environment.GetEnvironmentVariable(perServiceName);
            if (!string.IsNullOrWhiteSpace(perService)) return CheckedEndpoint(perService.Trim(), perServiceName);
            string global = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
            if (!string.IsNullOrWhiteSpace(global)) return CheckedEndpoint(global.Trim(), "AWS_ENDPOINT_URL");
            string profileName = options.ProfileName ?? Environment.GetEnvironmentVariable("AWS_PROFILE");
            if (profileName != null && TryGetProfile(profileName, out CredentialProfile profile) && !string.IsNullOrWhiteSpace(profile.EndpointUrl))
                return CheckedEndpoint(profile.EndpointUrl.Trim(), $"endpoint_url of the profile '{profileName}'");
            return null;
        }

        /// <summary>
        /// An endpoint must be an absolute http(s) URL: "127.0.0.1:5055" would otherwise surface as an SDK exception (or,
        /// for "localhost:5055", as a URL whose scheme is "localhost").
        /// </summary>
        private static string CheckedEndpoint(string endpoint, string source)
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out Uri uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
                return endpoint;
            string masked = Secrets.MaskUrl(endpoint);
            throw new EcommerceException("InvalidEndpointUrl", ErrorCategory.InvalidArgument, masked,
                $"{source} is '{masked}', which is not a URL: an endpoint needs its scheme, http:// or https://.",
                $"Set it to a full URL such as http://{masked.TrimStart('/')} for a local stand-in, or remove it to use the real AWS endpoint.");
        }

        private static bool TryGetProfile(string name, out CredentialProfile profile)
        {
            try { return new CredentialProfileStoreChain().TryGetProfile(name, out profile); }
            catch (Exception) { profile = null; return false; } // an unreadable config file counts as "no profile"
        }

        private static string Variable(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }
    }
}
