using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System;
using Amazon.S3;
using Amazon.SecurityToken.Model;
using Amazon.SecurityToken;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.CloudFront;
using EcommerceAws.Engine.Input;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// The CloudFront distribution in front of the private asset bucket: an Origin Access Control, an S3 REST origin,
    /// the managed CachingOptimized policy, and one bucket policy statement scoped to the distribution's ARN.
    /// </summary>
    public sealed class CdnService
    {
        public const string CachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6";
        public const string DefaultComment = "E-commerce Cameroon Assets CDN";
        private static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(40);
        private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

        private static ICloudFrontClient ClientFactory(AwsOptions options) => new CloudFrontClient(options);

        public async Task<AssetCdnInfo> CreateAsync(CdnSpec spec, IOperationContext context)
        {
            AssetInputValidation.BucketName(spec.BucketName);
            if (spec.AcmCertificateArn != null) AssetInputValidation.AcmCertificateArn(spec.AcmCertificateArn);
            EnsureCreatable(context);
            AwsPartition partition = Partition(context);
            string bucket = spec.BucketName;
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            string bucketRegion = await BucketService.TryGetRegion(s3, bucket, context).ConfigureAwait(false) ?? throw EcommerceErrors.BucketNotFound(bucket);
            string originDomain = BucketService.RegionalDomainName(bucket, bucketRegion);
            string account = await AccountId(context).ConfigureAwait(false);
            // Fail before creating anything when the policy statement could not be written afterwards.
            BucketPolicyDocument policy = await BucketPolicyStore.ReadAsync(s3, bucket, context).ConfigureAwait(false);
            await BucketPolicyStore.EnsureWritableAsync(s3, bucket, policy, context).ConfigureAwait(false);
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);

            OriginAccessControl oac = await EnsureOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false);

            Distribution distribution = null;
            DistributionSummary existing = await FindByOrigin(cloudFront, originDomain, context).ConfigureAwait(false);
            string[] changes = Array.Empty<string>();
            if (existing != null)
            {
                context.WriteVerbose($"Bucket '{bucket}' already has distribution {existing.Id}; reusing it.");
                (distribution, changes) = await Converge(cloudFront, existing.Id, spec, originDomain, oac.Id, context).ConfigureAwait(false);
            }
            else
            {
                DistributionConfig config = BuildConfig(spec, originDomain, oac.Id);
                context.WriteVerbose($"Creating CloudFront distribution for origin {originDomain} ({config.PriceClass}).");
                try
                {
                    distribution = await cloudFront.CreateDistributionWithTagsAsync(config, spec.Tags, context.Cancellation).ConfigureAwait(false);
                }
                catch (CloudFrontException ex) when (ex.ErrorCode == "DistributionAlreadyExists")
                {
                    // Same CallerReference. A live distribution with it was made by an earlier run (its origin may have
                    // been edited since): converge on it. CloudFront also remembers the reference of a distribution
                    // deleted since; then nothing is there to reuse and a fresh reference creates the distribution.
                    string otherId = ExistingIdIn(ex.Message);
                    Distribution other = otherId == null ? null : await TryGet(cloudFront, otherId, context).ConfigureAwait(false);
                    if (other != null)
                    {
                        context.WriteVerbose($"Distribution {otherId} was created earlier for this bucket; reusing it.");
                        (distribution, changes) = await Converge(cloudFront, otherId, spec, originDomain, oac.Id, context).ConfigureAwait(false);
                        existing = new DistributionSummary { Id = otherId };
                    }
                    else
                    {
                        config.CallerReference = FreshCallerReference(spec.BucketName);
                        context.WriteVerbose($"CloudFront still remembers the caller reference of a deleted distribution{(otherId == null ? "" : $" ({otherId})")}; creating the distribution with caller reference {config.CallerReference}.");
                        distribution = await Cf(() => cloudFront.CreateDistributionWithTagsAsync(config, spec.Tags, context.Cancellation), "CreateDistributionWithTags", bucket).ConfigureAwait(false);
                    }
                }
                catch (CloudFrontException ex)
                {
                    throw AwsErrors.From(ex, bucket, "CreateDistributionWithTags");
                }
            }

            string arn = DistributionArn(partition, account, distribution.Id);
            policy = await BucketPolicyStore.ReadAsync(s3, bucket, context).ConfigureAwait(false);
            if (policy.Upsert(BucketPolicyDocument.CloudFrontReadStatement(bucket, AwsPartition.Of(bucketRegion), arn)))
            {
                context.WriteVerbose($"Granting {arn} read access to s3://{bucket}/* in the bucket policy (statement {BucketPolicyDocument.CloudFrontReadSid}).");
                await BucketPolicyStore.WriteAsync(s3, bucket, policy, context).ConfigureAwait(false);
            }

            string keyPolicy = await KmsKeyPolicyStatement(s3, bucket, arn, context).ConfigureAwait(false);

            if (spec.Wait)
                distribution = await WaitForDeployed(cloudFront, distribution, context).ConfigureAwait(false);
            return ToInfo(distribution, partition, account, bucket, oac.Id, existing != null, changes, keyPolicy);
        }

        public async Task<CdnPlan> PlanAsync(CdnSpec spec, IOperationContext context)
        {
            try
            {
                if (!Partition(context).HasOriginAccessControl) return null; // CreateAsync refuses with the reason
                using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
                string region = await BucketService.TryGetRegion(s3, spec.BucketName, context).ConfigureAwait(false);
                if (region == null) return new CdnPlan();
                string originDomain = BucketService.RegionalDomainName(spec.BucketName, region);
                using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
                DistributionSummary existing = await FindByOrigin(cloudFront, originDomain, context).ConfigureAwait(false);
                if (existing == null) return new CdnPlan();
                string oacId = (await FindOriginAccessControl(cloudFront, spec.BucketName, context).ConfigureAwait(false))?.Id ?? "(a new Origin Access Control)";
                var (config, _) = await cloudFront.GetDistributionConfigAsync(existing.Id, context.Cancellation).ConfigureAwait(false);
                return new CdnPlan { DistributionId = existing.Id, Changes = DistributionConvergence.Plan(config, spec, originDomain, oacId).Changes.ToArray() };
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or EcommerceException or System.Net.Http.HttpRequestException)
            {
                // Only the confirmation text depends on it; CreateAsync reports the real problem.
                return null;
            }
        }

        public async Task<AssetCdnInfo> DescribeAsync(string distributionId, IOperationContext context)
        {
            AssetInputValidation.DistributionId(distributionId);
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
            Distribution distribution = await TryGet(cloudFront, distributionId, context).ConfigureAwait(false);
            if (distribution == null) return null;
            string account = await AccountId(context).ConfigureAwait(false);
            string bucket = BucketOf(distribution.DistributionConfig);
            AwsPartition partition = Partition(context);
            string oacId = distribution.DistributionConfig?.Origins.FirstOrDefault()?.OriginAccessControlId
                ?? (bucket == null || !partition.HasOriginAccessControl ? null : (await FindOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false))?.Id);
            return ToInfo(distribution, partition, account, bucket, oacId, false);
        }

        /// <summary>Every distribution of the account with its domain and first origin, for argument completion.</summary>
        public async Task<IReadOnlyList<NamedResource>> ListDistributionsAsync(IOperationContext context)
        {
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
            var found = new List<NamedResource>();
            string marker = null;
            do
            {
                string current = marker;
                CloudFrontPage<DistributionSummary> page = await Cf(() => cloudFront.ListDistributionsAsync(current, context.Cancellation), "ListDistributions", null).ConfigureAwait(false);
                foreach (DistributionSummary summary in page.Items)
                {
                    string origin = summary.OriginDomainNames.FirstOrDefault();
                    found.Add(new NamedResource(summary.Id, string.Join(" ", new[] { summary.Id, summary.DomainName, origin == null ? null : "-> " + origin }.Where(p => !string.IsNullOrEmpty(p)))));
                }
                marker = page.IsTruncated ? page.NextMarker : null;
            } while (!string.IsNullOrEmpty(marker));
            return found;
        }

        public async Task<AssetCdnInfo> FindByBucketAsync(string bucketName, IOperationContext context)
        {
            AssetInputValidation.BucketName(bucketName);
            if (Partition(context).CloudFront == null) return null; // no CloudFront in this partition, so no CDN for the bucket
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
            DistributionSummary summary = await FindByOrigin(cloudFront, null, context, bucketName).ConfigureAwait(false);
            return summary == null ? null : await DescribeAsync(summary.Id, context).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string distributionId, bool wait, IOperationContext context)
        {
            AssetInputValidation.DistributionId(distributionId);
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
            Distribution distribution = await TryGet(cloudFront, distributionId, context).ConfigureAwait(false) ?? throw EcommerceErrors.DistributionNotFound(distributionId);
            string bucket = BucketOf(distribution.DistributionConfig);

            var (config, etag) = await Cf(() => cloudFront.GetDistributionConfigAsync(distributionId, context.Cancellation), "GetDistributionConfig", distributionId).ConfigureAwait(false);
            if (config.Enabled)
            {
                // CloudFront deletes only disabled, deployed distributions.
                context.WriteVerbose($"Disabling distribution {distributionId}.");
                config.Enabled = false;
                distribution = await Cf(() => cloudFront.UpdateDistributionAsync(distributionId, config, etag, context.Cancellation), "UpdateDistribution", distributionId).ConfigureAwait(false);
            }
            if (!wait && distribution.Status != "Deployed")
            {
                context.WriteWarning($"Distribution {distributionId} is disabled and still deploying ({distribution.Status}); it was not deleted. Run Remove-AssetCdn again without -NoWait in 5-15 minutes to delete it.");
                return;
            }
            distribution = await WaitForDeployed(cloudFront, distribution, context).ConfigureAwait(false);
            var (_, deleteTag) = await Cf(() => cloudFront.GetDistributionConfigAsync(distributionId, context.Cancellation), "GetDistributionConfig", distributionId).ConfigureAwait(false);
            context.WriteVerbose($"Deleting distribution {distributionId}.");
            await Cf(async () => { await cloudFront.DeleteDistributionAsync(distributionId, deleteTag, context.Cancellation).ConfigureAwait(false); return true; },
                "DeleteDistribution", distributionId).ConfigureAwait(false);

            if (bucket == null) return;
            AwsPartition partition = Partition(context);
            string arn = DistributionArn(partition, await AccountId(context).ConfigureAwait(false), distributionId);
            await RemovePolicyStatement(bucket, arn, context).ConfigureAwait(false);
            if (partition.HasOriginAccessControl) await RemoveOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false);
        }

        public async Task<CdnInvalidationInfo> InvalidateAsync(string distributionId, string[] paths, bool wait, IOperationContext context)
        {
            AssetInputValidation.DistributionId(distributionId);
            foreach (string path in paths) AssetInputValidation.InvalidationPath(path);
            using ICloudFrontClient cloudFront = ClientFactory(context.Aws);
            // Each invalidation needs a new CallerReference: the same one twice is treated as a retry of the first.
            string reference = $"ecommerceaws-{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}".Substring(0, 50);
            Invalidation invalidation = await Cf(() => cloudFront.CreateInvalidationAsync(distributionId, paths, reference, context.Cancellation), "CreateInvalidation", distributionId)
                .ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            string activity = $"Invalidating {string.Join(", ", paths)} on {distributionId}";
            while (wait && !string.Equals(invalidation.Status, "Completed", StringComparison.OrdinalIgnoreCase))
            {
                if (clock.Elapsed > DeployTimeout) throw WaitTimeout(distributionId, $"invalidation {invalidation.Id} Completed");
                context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{invalidation.Status} ({clock.Elapsed.TotalSeconds:0} s)" });
                await Task.Delay(PollInterval, context.Cancellation).ConfigureAwait(false);
                string id = invalidation.Id;
                invalidation = await Cf(() => cloudFront.GetInvalidationAsync(distributionId, id, context.Cancellation), "GetInvalidation", distributionId).ConfigureAwait(false);
            }
            if (wait) context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
            return new CdnInvalidationInfo
            {
                DistributionId = distributionId,
                InvalidationId = invalidation.Id,
                Status = NormalizeInvalidationStatus(invalidation.Status),
                Paths = invalidation.Paths.Length > 0 ? invalidation.Paths : paths,
                CreatedAt = invalidation.CreateTime,
            };
        }

        internal static DistributionConfig BuildConfig(CdnSpec spec, string originDomain, string oacId)
        {
            string originId = "s3-" + spec.BucketName;
            return new DistributionConfig
            {
                // Deterministic: a retried or repeated create for the same bucket can never make a second distribution.
                CallerReference = "ecommerceaws-" + spec.BucketName,
                Aliases = spec.Aliases ?? Array.Empty<string>(),
                Origins = new List<CloudFrontOrigin> { new CloudFrontOrigin { Id = originId, DomainName = originDomain, S3OriginAccessIdentity = string.Empty, OriginAccessControlId = oacId } },
                DefaultCacheBehavior = new DefaultCacheBehavior { TargetOriginId = originId, ViewerProtocolPolicy = "redirect-to-https", CachePolicyId = CachingOptimizedPolicyId, Compress = true },
                Comment = spec.Comment ?? DefaultComment,
                PriceClass = spec.PriceClass ?? "PriceClass_All",
                Enabled = true,
                ViewerCertificate = new ViewerCertificate { AcmCertificateArn = spec.AcmCertificateArn },
                HttpVersion = "http2and3",
                IsIPV6Enabled = true,
            };
        }

        /// <summary>Brings an existing distribution to the spec: only members we own, the rest as read, with the config's ETag.</summary>
        private static async Task<(Distribution Distribution, string[] Changes)> Converge(ICloudFrontClient cloudFront, string id, CdnSpec spec,
            string originDomain, string oacId, IOperationContext context)
        {
            var (config, etag) = await Cf(() => cloudFront.GetDistributionConfigAsync(id, context.Cancellation), "GetDistributionConfig", id).ConfigureAwait(false);
            DistributionConvergence plan = DistributionConvergence.Plan(config, spec, originDomain, oacId);
            foreach (string note in plan.Notes) context.WriteVerbose($"Distribution {id}: {note}.");
            if (plan.Changes.Count == 0)
            {
                context.WriteVerbose($"Distribution {id} already has the requested settings; nothing to update.");
                return (await Cf(() => cloudFront.GetDistributionAsync(id, context.Cancellation), "GetDistribution", id).ConfigureAwait(false), Array.Empty<string>());
            }
            foreach (string change in plan.Changes) context.WriteVerbose($"Distribution {id}: {change}");
            context.WriteVerbose($"Updating distribution {id} ({plan.Changes.Count} change(s); every other setting is sent back as read).");
            Distribution updated = await Cf(() => cloudFront.UpdateDistributionAsync(id, plan.Result, etag, context.Cancellation), "UpdateDistribution", id).ConfigureAwait(false);
            return (updated, plan.Changes.ToArray());
        }

        private static async Task<OriginAccessControl> EnsureOriginAccessControl(ICloudFrontClient cloudFront, string bucket, IOperationContext context)
        {
            OriginAccessControl oac = await FindOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false);
            if (oac != null)
            {
                context.WriteVerbose($"Reusing Origin Access Control {oac.Id} ({bucket}).");
                return oac;
            }
            context.WriteVerbose($"Creating Origin Access Control '{bucket}' (S3, SigV4, always sign).");
            return await Cf(async () =>
            {
                try
                {
                    return await cloudFront.CreateOriginAccessControlAsync(new OriginAccessControlConfig
                    {
                        Name = bucket, // names are unique per account, and a bucket name is at most 63 characters (the limit is 64)
                        Description = $"EcommerceAws: CloudFront access to s3://{bucket}",
                    }, context.Cancellation).ConfigureAwait(false);
                }
                catch (CloudFrontException ex) when (ex.ErrorCode == "OriginAccessControlAlreadyExists")
                {
                    // A retried create whose first attempt did land (its answer was lost), or a concurrent run: the name is ours.
                    context.WriteVerbose($"Origin Access Control '{bucket}' already exists (a retried or concurrent create); looking it up by name.");
                    OriginAccessControl found = await FindOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false);
                    if (found == null) throw;
                    return found;
                }
            }, "CreateOriginAccessControl", bucket).ConfigureAwait(false);
        }

        private static async Task<OriginAccessControl> FindOriginAccessControl(ICloudFrontClient cloudFront, string bucket, IOperationContext context)
        {
            string marker = null;
            do
            {
                string current = marker;
                CloudFrontPage<OriginAccessControl> page = await Cf(() => cloudFront.ListOriginAccessControlsAsync(current, context.Cancellation), "ListOriginAccessControls", bucket).ConfigureAwait(false);
                OriginAccessControl match = page.Items.FirstOrDefault(o => o.Config?.Name == bucket);
                if (match != null) return match;
                marker = page.IsTruncated ? page.NextMarker : null;
            } while (!string.IsNullOrEmpty(marker));
            return null;
        }

        /// <summary>The distribution whose origin is exactly originDomain (or, with bucket, the bucket's REST endpoint in any region).</summary>
        private static async Task<DistributionSummary> FindByOrigin(ICloudFrontClient cloudFront, string originDomain, IOperationContext context, string bucket = null)
        {
            string marker = null;
            do
            {
                string current = marker;
                CloudFrontPage<DistributionSummary> page = await Cf(() => cloudFront.ListDistributionsAsync(current, context.Cancellation), "ListDistributions", originDomain ?? bucket).ConfigureAwait(false);
                foreach (DistributionSummary summary in page.Items)
                {
                    string[] origins = summary.OriginDomainNames;
                    if (origins.Length == 0)
                    {
                        // Some stand-ins list summaries without their origins: read them from the distribution itself.
                        Distribution full = await Cf(() => cloudFront.GetDistributionAsync(summary.Id, context.Cancellation), "GetDistribution", summary.Id).ConfigureAwait(false);
                        origins = full.DistributionConfig?.Origins.Select(o => o.DomainName).ToArray() ?? Array.Empty<string>();
                    }
                    if (origins.Any(o => originDomain != null ? string.Equals(o, originDomain, StringComparison.OrdinalIgnoreCase) : BucketOfDomain(o) == bucket))
                        return summary;
                }
                marker = page.IsTruncated ? page.NextMarker : null;
            } while (!string.IsNullOrEmpty(marker));
            return null;
        }

        private static readonly Regex S3RestDomain = new Regex(@"^(?<bucket>[a-z0-9.-]+)\.s3(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static string BucketOfDomain(string domain)
        {
            Match match = S3RestDomain.Match(domain ?? string.Empty);
            return match.Success ? match.Groups["bucket"].Value : null;
        }

        private static string BucketOf(DistributionConfig config) =>
            config?.Origins.Select(o => BucketOfDomain(o.DomainName)).FirstOrDefault(b => b != null);

        private static async Task RemovePolicyStatement(string bucket, string arn, IOperationContext context)
        {
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            if (await BucketService.TryGetRegion(s3, bucket, context).ConfigureAwait(false) == null) return;
            BucketPolicyDocument policy = await BucketPolicyStore.ReadAsync(s3, bucket, context).ConfigureAwait(false);
            JsonObject statement = policy.Find(BucketPolicyDocument.CloudFrontReadSid);
            // Only our statement for this distribution: a statement for another distribution is not ours to drop.
            if (statement == null || !statement.ToJsonString().Contains(arn, StringComparison.Ordinal)) return;
            policy.Remove(BucketPolicyDocument.CloudFrontReadSid);
            context.WriteVerbose($"Removing statement {BucketPolicyDocument.CloudFrontReadSid} from the policy of '{bucket}'.");
            await BucketPolicyStore.WriteAsync(s3, bucket, policy, context).ConfigureAwait(false);
        }

        private static async Task RemoveOriginAccessControl(ICloudFrontClient cloudFront, string bucket, IOperationContext context)
        {
            OriginAccessControl oac = await FindOriginAccessControl(cloudFront, bucket, context).ConfigureAwait(false);
            if (oac == null) return;
            try
            {
                OriginAccessControl current = await cloudFront.GetOriginAccessControlAsync(oac.Id, context.Cancellation).ConfigureAwait(false);
                await cloudFront.DeleteOriginAccessControlAsync(oac.Id, current.ETag, context.Cancellation).ConfigureAwait(false);
                context.WriteVerbose($"Deleted Origin Access Control {oac.Id}.");
            }
            catch (CloudFrontException ex) when (ex.ErrorCode == "OriginAccessControlInUse")
            {
                context.WriteWarning($"Origin Access Control {oac.Id} ({bucket}) is still used by another distribution; it was kept.");
            }
            catch (CloudFrontException ex)
            {
                throw AwsErrors.From(ex, oac.Id, "DeleteOriginAccessControl");
            }
        }

        private static async Task<Distribution> WaitForDeployed(ICloudFrontClient cloudFront, Distribution distribution, IOperationContext context)
        {
            var clock = Stopwatch.StartNew();
            string activity = $"Deploying CloudFront distribution {distribution.Id}";
            while (distribution.Status != "Deployed")
            {
                if (clock.Elapsed > DeployTimeout) throw WaitTimeout(distribution.Id, "Deployed");
                context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{distribution.Status} ({clock.Elapsed.TotalSeconds:0} s; CloudFront usually takes 5-15 minutes)" });
                // poll fast at first (stand-ins deploy at once), then every 10 s
                await Task.Delay(clock.Elapsed < PollInterval ? TimeSpan.FromSeconds(1) : PollInterval, context.Cancellation).ConfigureAwait(false);
                string id = distribution.Id;
                distribution = await Cf(() => cloudFront.GetDistributionAsync(id, context.Cancellation), "GetDistribution", id).ConfigureAwait(false);
            }
            context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
            return distribution;
        }

        private static async Task<Distribution> TryGet(ICloudFrontClient cloudFront, string id, IOperationContext context)
        {
            try { return await cloudFront.GetDistributionAsync(id, context.Cancellation).ConfigureAwait(false); }
            catch (CloudFrontException ex) when (ex.IsNotFound) { return null; }
            catch (CloudFrontException ex) { throw AwsErrors.From(ex, id, "GetDistribution"); }
        }

        private static async Task<string> AccountId(IOperationContext context)
        {
            using IAmazonSecurityTokenService sts = AwsClientFactory.Sts(context.Aws);
            GetCallerIdentityResponse identity = await AwsCall.Run(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), context.Cancellation), "GetCallerIdentity", null)
                .ConfigureAwait(false);
            return identity.Account;
        }

        /// <summary>The ARN in the form CloudFront's own policies use (global: empty region), in the region's partition.</summary>
        internal static string DistributionArn(AwsPartition partition, string account, string id) => partition.Arn("cloudfront", "", account, $"distribution/{id}");

        private static AwsPartition Partition(IOperationContext context) => AwsPartition.Of(AwsEnvironment.ResolveRegion(context.Aws));

        /// <summary>
        /// New-AssetCdn's distribution needs CloudFront with origin access control: refused before any call elsewhere
        /// (GovCloud has no CloudFront; CloudFront in China has no origin access control and no managed cache policies).
        /// </summary>
        public static void EnsureCreatable(IOperationContext context)
        {
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            AwsPartition partition = AwsPartition.Of(region);
            if (partition.CloudFront == null) throw partition.CloudFrontUnavailable(region);
            if (!partition.HasOriginAccessControl) throw partition.OriginAccessControlUnavailable(region);
        }

        /// <summary>
        /// A bucket encrypted with SSE-KMS: CloudFront (through the origin access control) can read its objects only if the key
        /// policy lets cloudfront.amazonaws.com decrypt for this distribution (AWS:SourceArn). The module cannot edit key
        /// policies, so it warns and returns the statement to add; with the AWS managed key aws/s3 it cannot work at all.
        /// </summary>
        private static async Task<string> KmsKeyPolicyStatement(IAmazonS3 s3, string bucket, string distributionArn, IOperationContext context)
        {
            Amazon.S3.Model.ServerSideEncryptionByDefault rule;
            try
            {
                var sse = await s3.GetBucketEncryptionAsync(new Amazon.S3.Model.GetBucketEncryptionRequest { BucketName = bucket }, context.Cancellation).ConfigureAwait(false);
                rule = sse.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules?.FirstOrDefault()?.ServerSideEncryptionByDefault;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError") { return null; }
            catch (AmazonS3Exception ex) { throw AwsErrors.From(ex, bucket, "GetBucketEncryption"); }
            string algorithm = rule?.ServerSideEncryptionAlgorithm?.Value;
            if (algorithm == null || !algorithm.StartsWith("aws:kms", StringComparison.Ordinal)) return null;
            string key = rule.ServerSideEncryptionKeyManagementServiceKeyId;
            if (string.IsNullOrEmpty(key) || key.StartsWith("alias/aws/", StringComparison.Ordinal) || key.Contains(":alias/aws/", StringComparison.Ordinal))
            {
                context.WriteWarning($"Bucket '{bucket}' is encrypted with the AWS managed key aws/s3: CloudFront cannot decrypt objects under it (its key policy cannot be changed), so the CDN will answer 403. Re-encrypt with SSE-S3 or a customer managed key (New-AssetBucket -KmsKeyId).");
                return null;
            }
            string statement = new JsonObject
            {
                ["Sid"] = "AllowCloudFrontOacDecrypt",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Service"] = "cloudfront.amazonaws.com" },
                ["Action"] = "kms:Decrypt", // GET and HEAD only: the CDN never writes to the bucket
                ["Resource"] = "*",
                ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["AWS:SourceArn"] = distributionArn } },
            }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
            context.WriteWarning($"Bucket '{bucket}' is encrypted with the KMS key {key}: CloudFront answers 403 for every object until that key's policy lets the distribution decrypt. Add this statement to the key policy (KmsKeyPolicyStatement on the output):{Environment.NewLine}{statement}");
            return statement;
        }

        /// <summary>A caller reference CloudFront has not seen: the deterministic one plus the time, for a name whose reference outlived its distribution.</summary>
        internal static string FreshCallerReference(string bucket) =>
            $"ecommerceaws-{bucket}-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N").Substring(0, 6)}";

        private static string ExistingIdIn(string message)
        {
            Match match = Regex.Match(message ?? string.Empty, @"Already exists: ([A-Z0-9]{8,20})\b");
            return match.Success ? match.Groups[1].Value : null;
        }

        private static string NormalizeInvalidationStatus(string status) =>
            string.Equals(status, "Completed", StringComparison.OrdinalIgnoreCase) ? "Completed" : status;

        private static AssetCdnInfo ToInfo(Distribution distribution, AwsPartition partition, string account, string bucket, string oacId, bool alreadyExisted,
            string[] changes = null, string keyPolicyStatement = null) => new AssetCdnInfo
        {
            DistributionId = distribution.Id,
            DomainName = distribution.DomainName,
            Url = "https://" + distribution.DomainName,
            Arn = DistributionArn(partition, account, distribution.Id),
            Status = distribution.Status,
            Enabled = distribution.DistributionConfig?.Enabled ?? false,
            BucketName = bucket,
            OriginAccessControlId = oacId,
            PriceClass = distribution.DistributionConfig?.PriceClass,
            Aliases = distribution.DistributionConfig?.Aliases ?? Array.Empty<string>(),
            Comment = distribution.DistributionConfig?.Comment,
            AlreadyExisted = alreadyExisted,
            Changes = changes ?? Array.Empty<string>(),
            KmsKeyPolicyStatement = keyPolicyStatement,
        };

        private static Task<T> Cf<T>(Func<Task<T>> call, string operation, object target) => AwsCall.Run(call, operation, target);

        private static EcommerceException WaitTimeout(string id, string state) =>
            new EcommerceException("CdnWaitTimeout", ErrorCategory.OperationTimeout, id,
                $"Distribution {id} was not {state} after {DeployTimeout.TotalMinutes:0} minutes.",
                "Check the distribution in the CloudFront console; run the command again to resume waiting.");
    }
}
