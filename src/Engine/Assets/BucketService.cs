using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System;
using Amazon.S3.Model;
using Amazon.S3;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>The private asset bucket: created with safe defaults (BPA, owner-enforced, versioning, SSE, lifecycle) and reconciled on re-runs.</summary>
    public sealed class BucketService
    {
        public const string NoncurrentRuleId = "EcommerceAws-expire-noncurrent-versions";
        public const string MultipartRuleId = "EcommerceAws-abort-incomplete-uploads";
        private const int DeleteBatchSize = 1000;

        public async Task<AssetBucketInfo> CreateAsync(BucketSpec spec, IOperationContext context)
        {
            AssetInputValidation.BucketName(spec.BucketName);
            string bucket = spec.BucketName;
            string region = AwsEnvironment.ResolveRegion(context.Aws).SystemName;
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);

            string existingRegion = await TryGetRegion(s3, bucket, context).ConfigureAwait(false);
            bool alreadyExisted = existingRegion != null;
            if (alreadyExisted && existingRegion != region)
                throw new EcommerceException("BucketInOtherRegion", ErrorCategory.ResourceExists, bucket,
                    $"Bucket '{bucket}' already exists in {existingRegion}, not in {region}.",
                    $"Run the command with -Region {existingRegion}, or choose another -BucketName.");
            if (alreadyExisted)
                context.WriteVerbose($"Bucket '{bucket}' already exists in {region}; reconciling its settings.");
            else
                alreadyExisted = await CreateBucket(s3, bucket, region, context).ConfigureAwait(false);

            await Reconcile(s3, spec, context).ConfigureAwait(false);
            return await Describe(s3, bucket, region, alreadyExisted, context).ConfigureAwait(false);
        }

        public async Task<AssetBucketInfo> DescribeAsync(string bucketName, IOperationContext context)
        {
            AssetInputValidation.BucketName(bucketName);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            string region = await TryGetRegion(s3, bucketName, context).ConfigureAwait(false);
            return region == null ? null : await Describe(s3, bucketName, region, false, context).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string bucketName, bool force, IOperationContext context)
        {
            AssetInputValidation.BucketName(bucketName);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            if (await TryGetRegion(s3, bucketName, context).ConfigureAwait(false) == null) throw EcommerceErrors.BucketNotFound(bucketName);

            ListVersionsResponse first = await ListVersions(s3, bucketName, null, null, 1, context).ConfigureAwait(false);
            if ((first.Versions?.Count ?? 0) > 0)
            {
                if (!force)
                    throw new EcommerceException("BucketNotEmpty", ErrorCategory.InvalidOperation, bucketName,
                        $"Bucket '{bucketName}' is not empty; nothing was deleted.",
                        "Add -Force to delete every object version and delete marker, then the bucket (the assets are lost).");
                await DeleteAllVersions(s3, bucketName, context).ConfigureAwait(false);
            }
            context.WriteVerbose($"Deleting bucket '{bucketName}'.");
            await AwsCall.Run(() => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucketName }, context.Cancellation), "DeleteBucket", bucketName)
                .ConfigureAwait(false);
        }

        public async Task<bool> HasObjectVersionsAsync(string bucketName, IOperationContext context)
        {
            AssetInputValidation.BucketName(bucketName);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            ListVersionsResponse first = await ListVersions(s3, bucketName, null, null, 1, context).ConfigureAwait(false);
            return (first.Versions?.Count ?? 0) > 0;
        }

        /// <summary>Creates the bucket; returns true when it turned out to be ours already (a concurrent or legacy-region re-create).</summary>
        private static async Task<bool> CreateBucket(IAmazonS3 s3, string bucket, string region, IOperationContext context)
        {
            context.WriteVerbose($"Creating bucket '{bucket}' in {region}.");
            try
            {
                await s3.PutBucketAsync(CreateRequest(bucket, region), context.Cancellation).ConfigureAwait(false);
                return false;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "BucketAlreadyOwnedByYou")
            {
                return true;
            }
            catch (AmazonS3Exception ex)
            {
                throw CreateError(ex.ErrorCode, bucket) ?? AwsErrors.From(ex, bucket, "CreateBucket");
            }
        }

        /// <summary>
        /// CreateBucket with the region's LocationConstraint written out: every region but us-east-1 needs one (S3 answers
        /// IllegalLocationConstraintException without it) and us-east-1 must send none (InvalidLocationConstraint). Explicit
        /// rather than UseClientRegion, which sends nothing once a custom endpoint (ServiceURL) is configured.
        /// </summary>
        internal static PutBucketRequest CreateRequest(string bucket, string region) => new PutBucketRequest
        {
            BucketName = bucket,
            UseClientRegion = false,
            // The region's own name: BucketRegionName would turn eu-west-1 into the legacy "EU".
            PutBucketConfiguration = region == "us-east-1" ? null
                : new PutBucketConfiguration { LocationConstraint = BucketLocationConstraint.FindValue(region) },
            ObjectOwnership = ObjectOwnership.BucketOwnerEnforced,
        };

        /// <summary>The CreateBucket error code that means "the name is taken by someone else" (BucketAlreadyOwnedByYou is an idempotent re-run).</summary>
        public static EcommerceException CreateError(string errorCode, string bucket) => errorCode switch
        {
            "BucketAlreadyExists" => new EcommerceException("BucketNameTaken", ErrorCategory.ResourceExists, bucket,
                $"The bucket name '{bucket}' is already taken by another AWS account (bucket names are global).",
                "Choose another -BucketName, for example with your shop or account name in it."),
            _ => null,
        };

        private static async Task Reconcile(IAmazonS3 s3, BucketSpec spec, IOperationContext context)
        {
            string bucket = spec.BucketName;
            var ct = context.Cancellation;
            await AwsCall.Run(() => s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
            {
                BucketName = bucket,
                OwnershipControls = new OwnershipControls { Rules = new List<OwnershipControlsRule> { new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.BucketOwnerEnforced } } },
            }, ct), "PutBucketOwnershipControls", bucket).ConfigureAwait(false);

            BucketPolicyDocument policy = await BucketPolicyStore.ReadAsync(s3, bucket, context).ConfigureAwait(false);
            if (!spec.AllowPublicRead && policy.Remove(BucketPolicyDocument.PublicReadSid))
            {
                context.WriteVerbose($"Removing the public-read statement from the policy of '{bucket}' (no -AllowPublicRead).");
                await BucketPolicyStore.WriteAsync(s3, bucket, policy, context).ConfigureAwait(false);
            }
            bool liftPolicyBlocks = spec.AllowPublicRead;
            await AwsCall.Run(() => s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
            {
                BucketName = bucket,
                PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
                {
                    BlockPublicAcls = true,
                    IgnorePublicAcls = true,
                    BlockPublicPolicy = !liftPolicyBlocks,
                    RestrictPublicBuckets = !liftPolicyBlocks,
                },
            }, ct), "PutPublicAccessBlock", bucket).ConfigureAwait(false);

            await AwsCall.Run(() => s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            }, ct), "PutBucketVersioning", bucket).ConfigureAwait(false);

            await AwsCall.Run(() => s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
            {
                BucketName = bucket,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules = new List<ServerSideEncryptionRule>
                    {
                        new ServerSideEncryptionRule
                        {
                            ServerSideEncryptionByDefault = spec.KmsKeyId == null
                                ? new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 }
                                : new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = spec.KmsKeyId },
                            BucketKeyEnabled = spec.KmsKeyId != null, // fewer KMS calls, lower cost
                        },
                    },
                },
            }, ct), "PutBucketEncryption", bucket).ConfigureAwait(false);

            await PutLifecycle(s3, bucket, spec.NoncurrentVersionDays, context).ConfigureAwait(false);

            if (spec.AllowedOrigin is { Length: > 0 })
                await AwsCall.Run(() => s3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
                {
                    BucketName = bucket,
                    Configuration = new CORSConfiguration
                    {
                        Rules = new List<CORSRule>
                        {
                            new CORSRule
                            {
                                Id = "EcommerceAws-assets",
                                AllowedMethods = new List<string> { "GET", "HEAD" },
                                AllowedOrigins = spec.AllowedOrigin.ToList(),
                                AllowedHeaders = new List<string> { "*" },
                                MaxAgeSeconds = 3000,
                            },
                        },
                    },
                }, ct), "PutBucketCors", bucket).ConfigureAwait(false);

            await PutTags(s3, bucket, spec.Tags, context).ConfigureAwait(false);

            if (spec.AllowPublicRead)
            {
                context.WriteWarning($"Bucket '{bucket}' is now PUBLIC: anyone on the internet can read every object in it (s3:GetObject for Principal '*'), " +
                    "including files uploaded by mistake, and pays nothing for the traffic you pay for. Prefer the private bucket behind New-AssetCdn (Origin Access Control).");
                if (policy.Upsert(BucketPolicyDocument.PublicReadStatement(bucket, AwsPartition.Of(AwsEnvironment.ResolveRegion(context.Aws)))))
                    await BucketPolicyStore.WriteAsync(s3, bucket, policy, context).ConfigureAwait(false);
            }
        }

        private static Task PutLifecycle(IAmazonS3 s3, string bucket, int noncurrentDays, IOperationContext context) =>
            UpsertLifecycleRules(s3, bucket, new[]
            {
                new LifecycleRule
                {
                    Id = NoncurrentRuleId,
                    Status = LifecycleRuleStatus.Enabled,
                    Filter = new LifecycleFilter { Prefix = "" },
                    NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = noncurrentDays },
                },
                new LifecycleRule
                {
                    Id = MultipartRuleId,
                    Status = LifecycleRuleStatus.Enabled,
                    Filter = new LifecycleFilter { Prefix = "" },
                    AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 7 },
                },
            }, context);

        /// <summary>Puts <paramref name="ours"/> into the bucket's lifecycle configuration, replacing rules with the same ids and keeping every other rule.</summary>
        internal static async Task UpsertLifecycleRules(IAmazonS3 s3, string bucket, IReadOnlyList<LifecycleRule> ours, IOperationContext context)
        {
            List<LifecycleRule> rules;
            try
            {
                GetLifecycleConfigurationResponse current = await s3.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket }, context.Cancellation).ConfigureAwait(false);
                rules = current.Configuration?.Rules ?? new List<LifecycleRule>();
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchLifecycleConfiguration")
            {
                rules = new List<LifecycleRule>();
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucket, "GetBucketLifecycleConfiguration");
            }
            rules = rules.Where(r => ours.All(o => o.Id != r.Id)).Concat(ours).ToList();
            await AwsCall.Run(() => s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = bucket,
                Configuration = new LifecycleConfiguration { Rules = rules },
            }, context.Cancellation), "PutBucketLifecycleConfiguration", bucket).ConfigureAwait(false);
        }

        private static async Task PutTags(IAmazonS3 s3, string bucket, IDictionary<string, string> wanted, IOperationContext context)
        {
            var tags = new Dictionary<string, string>();
            try
            {
                GetBucketTaggingResponse current = await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }, context.Cancellation).ConfigureAwait(false);
                foreach (Tag tag in current.TagSet ?? new List<Tag>()) tags[tag.Key] = tag.Value;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchTagSet" || ex.ErrorCode == "NoSuchTagSetError") { }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucket, "GetBucketTagging");
            }
            foreach (var tag in wanted ?? new Dictionary<string, string>()) tags[tag.Key] = tag.Value;
            tags[ManagedTags.Key] = ManagedTags.Value;
            await AwsCall.Run(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
            {
                BucketName = bucket,
                TagSet = tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
            }, context.Cancellation), "PutBucketTagging", bucket).ConfigureAwait(false);
        }

        private static Task DeleteAllVersions(IAmazonS3 s3, string bucket, IOperationContext context) =>
            DeleteAllVersions(s3, bucket, null, "The bucket was not deleted.", context);

        /// <summary>
        /// Deletes every version and delete marker of the objects under <paramref name="prefix"/> (null: the whole bucket), so
        /// nothing stays behind as a noncurrent version in a versioned bucket; returns how many went. BucketEmptyFailed names the
        /// first version S3 would not delete, followed by <paramref name="whatStays"/>.
        /// </summary>
        internal static async Task<long> DeleteAllVersions(IAmazonS3 s3, string bucket, string prefix, string whatStays, IOperationContext context)
        {
            string activity = prefix == null ? $"Emptying bucket {bucket}" : $"Deleting s3://{bucket}/{prefix}";
            long deleted = 0;
            string keyMarker = null, versionMarker = null;
            while (true)
            {
                ListVersionsResponse page = await ListVersions(s3, bucket, prefix, keyMarker, versionMarker, DeleteBatchSize, context).ConfigureAwait(false);
                List<KeyVersion> batch = (page.Versions ?? new List<S3ObjectVersion>()).Select(v => new KeyVersion { Key = v.Key, VersionId = v.VersionId }).ToList();
                if (batch.Count > 0)
                {
                    DeleteObjectsResponse response = await AwsCall.Run(() => s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = batch, Quiet = true }, context.Cancellation),
                        "DeleteObjects", bucket).ConfigureAwait(false);
                    if (response.DeleteErrors is { Count: > 0 })
                    {
                        DeleteError error = response.DeleteErrors[0];
                        throw new EcommerceException("BucketEmptyFailed", ErrorCategory.WriteError, bucket,
                            $"{response.DeleteErrors.Count} object version(s) of '{bucket}' could not be deleted; first: {error.Key} ({error.VersionId}): {error.Code} {error.Message}. {whatStays}",
                            "Check Object Lock / legal holds and your s3:DeleteObjectVersion permission, then run the command again.");
                    }
                    deleted += batch.Count;
                    context.WriteProgress(new ProgressUpdate { Activity = activity, Status = $"{deleted} object versions and delete markers deleted" });
                }
                if (page.IsTruncated != true) break;
                keyMarker = page.NextKeyMarker;
                versionMarker = page.NextVersionIdMarker;
            }
            context.WriteProgress(new ProgressUpdate { Activity = activity, Completed = true });
            context.WriteVerbose($"Deleted {deleted} object versions and delete markers from '{bucket}'{(prefix == null ? "" : $" under {prefix}")}.");
            return deleted;
        }

        private static Task<ListVersionsResponse> ListVersions(IAmazonS3 s3, string bucket, string keyMarker, string versionMarker, int max, IOperationContext context) =>
            ListVersions(s3, bucket, null, keyMarker, versionMarker, max, context);

        private static Task<ListVersionsResponse> ListVersions(IAmazonS3 s3, string bucket, string prefix, string keyMarker, string versionMarker, int max, IOperationContext context) =>
            AwsCall.Run(() => s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = prefix, KeyMarker = keyMarker, VersionIdMarker = versionMarker, MaxKeys = max }, context.Cancellation),
                "ListObjectVersions", bucket);

        /// <summary>The bucket's region, or null when this account owns no such bucket.</summary>
        internal static async Task<string> TryGetRegion(IAmazonS3 s3, string bucket, IOperationContext context)
        {
            // Ownership from ListBuckets: GetBucketLocation alone may answer for another account's bucket on stand-ins.
            if (await OwnedBucket(s3, bucket, context).ConfigureAwait(false) == null) return null;
            try
            {
                GetBucketLocationResponse response = await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, context.Cancellation).ConfigureAwait(false);
                string location = response.Location?.Value;
                return string.IsNullOrEmpty(location) ? "us-east-1" : location == "EU" ? "eu-west-1" : location;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                return null; // deleted in between
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucket, "GetBucketLocation");
            }
        }

        /// <summary>Every bucket of the account (ListBuckets is global), for argument completion.</summary>
        public async Task<IReadOnlyList<NamedResource>> ListBucketNamesAsync(IOperationContext context)
        {
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            var names = new List<NamedResource>();
            string token = null;
            do
            {
                string current = token;
                ListBucketsResponse page = await AwsCall.Run(() => s3.ListBucketsAsync(new ListBucketsRequest { ContinuationToken = current }, context.Cancellation), "ListBuckets", null)
                    .ConfigureAwait(false);
                names.AddRange((page.Buckets ?? new List<S3Bucket>()).Select(b => new NamedResource(b.BucketName,
                    string.IsNullOrEmpty(b.BucketRegion) ? b.BucketName : $"{b.BucketName} ({b.BucketRegion})")));
                token = page.ContinuationToken;
            } while (!string.IsNullOrEmpty(token));
            return names;
        }

        /// <summary>The bucket as listed among this account's buckets, or null.</summary>
        private static async Task<S3Bucket> OwnedBucket(IAmazonS3 s3, string bucket, IOperationContext context)
        {
            string token = null;
            do
            {
                ListBucketsResponse page = await AwsCall.Run(() => s3.ListBucketsAsync(new ListBucketsRequest { ContinuationToken = token }, context.Cancellation), "ListBuckets", bucket)
                    .ConfigureAwait(false);
                S3Bucket match = page.Buckets?.FirstOrDefault(b => b.BucketName == bucket);
                if (match != null) return match;
                token = page.ContinuationToken;
            } while (!string.IsNullOrEmpty(token));
            return null;
        }

        private static async Task<AssetBucketInfo> Describe(IAmazonS3 s3, string bucket, string region, bool alreadyExisted, IOperationContext context)
        {
            GetBucketVersioningResponse versioning = await AwsCall.Run(() => s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, context.Cancellation),
                "GetBucketVersioning", bucket).ConfigureAwait(false);
            string encryption = "None";
            try
            {
                GetBucketEncryptionResponse sse = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket }, context.Cancellation).ConfigureAwait(false);
                ServerSideEncryptionByDefault rule = sse.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules?.FirstOrDefault()?.ServerSideEncryptionByDefault;
                if (rule != null)
                    encryption = rule.ServerSideEncryptionAlgorithm?.Value + (string.IsNullOrEmpty(rule.ServerSideEncryptionKeyManagementServiceKeyId) ? "" : ":" + rule.ServerSideEncryptionKeyManagementServiceKeyId);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError") { }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, bucket, "GetBucketEncryption");
            }
            PublicAccessBlockConfiguration block = await BucketPolicyStore.ReadPublicAccessBlockAsync(s3, bucket, context).ConfigureAwait(false);
            BucketPolicyDocument policy = await BucketPolicyStore.ReadAsync(s3, bucket, context).ConfigureAwait(false);
            DateTime? created = (await OwnedBucket(s3, bucket, context).ConfigureAwait(false))?.CreationDate?.ToUniversalTime();
            string status = versioning.VersioningConfig?.Status?.Value;
            return new AssetBucketInfo
            {
                BucketName = bucket,
                Region = region,
                Arn = AwsPartition.Of(region).Arn("s3", "", "", bucket),
                RegionalDomainName = RegionalDomainName(bucket, region),
                Versioning = string.IsNullOrEmpty(status) || status == "Off" ? "Off" : status,
                Encryption = encryption,
                PublicAccessBlocked = block != null && block.BlockPublicAcls == true && block.IgnorePublicAcls == true && block.BlockPublicPolicy == true && block.RestrictPublicBuckets == true,
                PolicyStatementIds = policy.StatementIds,
                CreatedAt = created,
                AlreadyExisted = alreadyExisted,
            };
        }

        /// <summary>The S3 REST endpoint of the bucket (the CloudFront origin; not the website endpoint).</summary>
        public static string RegionalDomainName(string bucket, string region) => AwsPartition.Of(region).S3RegionalDomainName(bucket, region);
    }
}
