using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>Creates SDK clients configured from <see cref="AwsOptions"/>; the only place SDK client configs are built.</summary>
    internal static class AwsClientFactory
    {
        public static IAmazonDynamoDB DynamoDb(AwsOptions options) =>
            new AmazonDynamoDBClient(AwsEnvironment.ResolveCredentials(options), Configure(new AmazonDynamoDBConfig(), options, "DYNAMODB"));

        public static IAmazonS3 S3(AwsOptions options)
        {
            var config = Configure(new AmazonS3Config(), options, "S3");
            // A custom endpoint (a local stand-in, a VPC endpoint) has no bucket sub-domains.
            if (config.ServiceURL != null) config.ForcePathStyle = true;
            return new AmazonS3Client(AwsEnvironment.ResolveCredentials(options), config);
        }

        public static IAmazonSecurityTokenService Sts(AwsOptions options) =>
            new AmazonSecurityTokenServiceClient(AwsEnvironment.ResolveCredentials(options),
                Configure(new AmazonSecurityTokenServiceConfig(), options, "STS"));

        private static TConfig Configure<TConfig>(TConfig config, AwsOptions options, string serviceEnvironmentName)
            where TConfig : ClientConfig
        {
            RegionEndpoint region = AwsEnvironment.ResolveRegion(options);
            string endpoint = AwsEnvironment.ResolveEndpoint(options, serviceEnvironmentName);
            if (endpoint != null)
            {
                // ServiceURL and RegionEndpoint clear each other: with an endpoint, sign for the region instead.
                config.ServiceURL = endpoint;
                config.AuthenticationRegion = region.SystemName;
                config.HttpClientFactory = new EndpointOverrideHttpClientFactory();
            }
            else
            {
                config.RegionEndpoint = region;
            }
            return config;
        }

        /// <summary>
        /// For custom endpoints only: local stand-ins send an x-amz-crc32 header for bodies the SDK does not
        /// read, which makes the SDK throw and retry (duplicating e.g. tags). Real AWS endpoints never get this.
        /// </summary>
        private sealed class EndpointOverrideHttpClientFactory : HttpClientFactory
        {
            public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
                new HttpClient(new StripCrc32Handler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }))
                {
                    Timeout = Timeout.InfiniteTimeSpan,
                };

            public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
        }

        private sealed class StripCrc32Handler : DelegatingHandler
        {
            internal StripCrc32Handler(HttpMessageHandler inner) : base(inner) { }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response.Headers.Remove("x-amz-crc32");
                return response;
            }
        }
    }
}
