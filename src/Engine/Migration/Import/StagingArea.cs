using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Migration.Import
{
    /// <summary>
    /// The staging bucket of an import: checked before anything is read, a lifecycle rule that expires whatever a run leaves
    /// under <see cref="StagingLayout.Root"/>, encrypted uploads, listing and deleting a run's objects (every version).
    /// </summary>
    internal sealed class StagingArea
    {
        private readonly IAmazonS3 s3;
        private readonly IOperationContext context;
        private bool encryptUploads;

        public StagingArea(IAmazonS3 s3, string bucket, IOperationContext context)
        {
            this.s3 = s3;
            Bucket = bucket;
            this.context = context;
        }

        public string Bucket { get; }

        /// <summary>BucketNotFound unless the bucket exists and this account can see it.</summary>
        public async Task CheckAsync()
        {
            try
            {
                await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = Bucket }, context.Cancellation).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                throw EcommerceErrors.BucketNotFound(Bucket, "Pass -StagingBucket with an existing bucket of this account, for example the stack's asset bucket (New-AssetBucket creates it).");
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, Bucket, "GetBucketLocation");
            }
        }

        /// <summary>
        /// The lifecycle rule on <see cref="StagingLayout.Root"/> (the bucket's other rules are kept), and whether uploads must ask
        /// for SSE-S3 themselves: a bucket with default encryption (SSE-S3 or SSE-KMS) encrypts them as it is set up to.
        /// </summary>
        public async Task PrepareAsync()
        {
            await BucketService.UpsertLifecycleRules(s3, Bucket, new[]
            {
                new LifecycleRule
                {
                    Id = StagingLayout.LifecycleRuleId,
                    Status = LifecycleRuleStatus.Enabled,
                    Filter = new LifecycleFilter { Prefix = StagingLayout.Root },
                    Expiration = new LifecycleRuleExpiration { Days = StagingLayout.ExpireDays },
                    NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1 },
                    AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 1 },
                },
            }, context).ConfigureAwait(false);
            try
            {
                GetBucketEncryptionResponse sse = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = Bucket }, context.Cancellation).ConfigureAwait(false);
                encryptUploads = (sse.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules?.Count ?? 0) == 0;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError")
            {
                encryptUploads = true;
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, Bucket, "GetBucketEncryption");
            }
            context.WriteVerbose($"Staging in s3://{Bucket}/{StagingLayout.Root} (lifecycle rule {StagingLayout.LifecycleRuleId}: expires after {StagingLayout.ExpireDays} days; "
                + (encryptUploads ? "no default encryption on the bucket, so every object asks for SSE-S3)." : "encrypted by the bucket's default encryption)."));
        }

        public async Task UploadAsync(string file, string key)
        {
            var request = new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = file, ContentType = "application/gzip" };
            if (encryptUploads) request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
            await AwsCall.Run(() => s3.PutObjectAsync(request, context.Cancellation), "PutObject", $"s3://{Bucket}/{key}").ConfigureAwait(false);
        }

        /// <summary>The objects under <paramref name="prefix"/> with their sizes.</summary>
        public async Task<Dictionary<string, long>> ListAsync(string prefix)
        {
            var objects = new Dictionary<string, long>(StringComparer.Ordinal);
            string token = null;
            do
            {
                ListObjectsV2Response page = await AwsCall.Run(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = token }, context.Cancellation),
                    "ListObjectsV2", $"s3://{Bucket}/{prefix}").ConfigureAwait(false);
                foreach (S3Object item in page.S3Objects ?? new List<S3Object>()) objects[item.Key] = item.Size ?? 0;
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            } while (token != null);
            return objects;
        }

        /// <summary>Deletes every version of the objects under <paramref name="prefix"/> (or of one key); returns how many versions went.</summary>
        public Task<long> DeleteAsync(string prefix) =>
            BucketService.DeleteAllVersions(s3, Bucket, prefix, $"They expire by the lifecycle rule {StagingLayout.LifecycleRuleId} within {StagingLayout.ExpireDays} days.", context);
    }

    /// <summary>
    /// One object being staged: DYNAMODB_JSON lines gzipped into a local file (memory stays flat whatever its size), with
    /// the uncompressed and compressed byte counts. Without a file (-WhatIf) the lines are only counted and compressed away.
    /// </summary>
    internal sealed class StagingPart : IDisposable
    {
        private readonly Stream file;
        private readonly CountingStream compressed;
        private readonly GZipStream gzip;
        private readonly CountingStream uncompressed;
        private readonly DynamoJsonLines lines;

        public StagingPart(string path)
        {
            Path = path;
            file = path == null ? Stream.Null : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            compressed = new CountingStream(file);
            gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
            uncompressed = new CountingStream(gzip);
            lines = new DynamoJsonLines(uncompressed);
        }

        public string Path { get; }
        public long Items { get; private set; }
        public long Bytes => uncompressed.Count;

        public void Write(Dictionary<string, AttributeValue> item)
        {
            lines.Write(item);
            Items++;
        }

        /// <summary>Closes the gzip stream and the file; returns the compressed size.</summary>
        public long Finish()
        {
            gzip.Dispose();
            file.Dispose();
            return compressed.Count;
        }

        public void Dispose()
        {
            gzip.Dispose();
            file.Dispose();
            if (Path != null) try { File.Delete(Path); } catch (IOException) { }
        }

        private sealed class CountingStream : Stream
        {
            private readonly Stream inner;
            public CountingStream(Stream inner) => this.inner = inner;
            public long Count { get; private set; }
            public override void Write(byte[] buffer, int offset, int count) { inner.Write(buffer, offset, count); Count += count; }
            public override void Write(ReadOnlySpan<byte> buffer) { inner.Write(buffer); Count += buffer.Length; }
            public override void Flush() => inner.Flush();
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => Count;
            public override long Position { get => Count; set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
