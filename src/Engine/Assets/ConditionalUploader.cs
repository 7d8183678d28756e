using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>What happened to one object upload.</summary>
    internal enum UploadOutcome
    {
        /// <summary>The object was created by this call.</summary>
        Created,
        /// <summary>An object already had the key (412 PreconditionFailed): nothing was written.</summary>
        AlreadyThere,
    }

    /// <summary>
    /// Creates objects only if their key is free: PutObject (or CompleteMultipartUpload) with If-None-Match: * — S3 answers
    /// 412 PreconditionFailed instead of overwriting, and 409 ConditionalRequestConflict when another write to the key is
    /// in flight (retried). Objects over 8 MiB go up in 8 MiB parts, as the AWS CLI does (multipart_threshold and
    /// multipart_chunksize). Every request waits for a slot of <see cref="requests"/>, the run's request budget.
    /// </summary>
    internal sealed class ConditionalUploader
    {
        public const long MultipartThreshold = 8L * 1024 * 1024;
        public const int PartSize = 8 * 1024 * 1024;
        private const int ConflictAttempts = 4;

        private readonly IAmazonS3 s3;
        private readonly string bucket;
        private readonly SemaphoreSlim requests;
        private readonly CancellationToken cancellation;

        internal ConditionalUploader(IAmazonS3 s3, string bucket, SemaphoreSlim requests, CancellationToken cancellation)
        {
            this.s3 = s3;
            this.bucket = bucket;
            this.requests = requests;
            this.cancellation = cancellation;
        }

        /// <summary>Multipart uploads completed (for the result and the tests).</summary>
        internal long MultipartUploads;

        internal async Task<UploadOutcome> CreateAsync(string key, byte[] data, string contentType, string cacheControl, IDictionary<string, string> metadata)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return data.Length > MultipartThreshold
                        ? await MultipartAsync(key, data, contentType, cacheControl, metadata).ConfigureAwait(false)
                        : await PutAsync(key, data, contentType, cacheControl, metadata).ConfigureAwait(false);
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict && attempt < ConflictAttempts)
                {
                    // ConditionalRequestConflict: another write to this key is in flight; its outcome decides (412 next time).
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt + Random.Shared.Next(100)), cancellation).ConfigureAwait(false);
                }
                catch (AmazonServiceException ex)
                {
                    throw AwsErrors.From(ex, key, data.Length > MultipartThreshold ? "multipart upload" : "PutObject");
                }
            }
        }

        private async Task<UploadOutcome> PutAsync(string key, byte[] data, string contentType, string cacheControl, IDictionary<string, string> metadata)
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(data, writable: false),
                ContentType = contentType,
                IfNoneMatch = "*",
            };
            request.Headers.CacheControl = cacheControl;
            foreach (var pair in metadata) request.Metadata.Add(pair.Key, pair.Value);
            await requests.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                await s3.PutObjectAsync(request, cancellation).ConfigureAwait(false);
                return UploadOutcome.Created;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return UploadOutcome.AlreadyThere;
            }
            finally { requests.Release(); }
        }

        private async Task<UploadOutcome> MultipartAsync(string key, byte[] data, string contentType, string cacheControl, IDictionary<string, string> metadata)
        {
            var create = new InitiateMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                ContentType = contentType,
                ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            };
            create.Headers.CacheControl = cacheControl;
            foreach (var pair in metadata) create.Metadata.Add(pair.Key, pair.Value);
            string uploadId = (await Limited(() => s3.InitiateMultipartUploadAsync(create, cancellation)).ConfigureAwait(false)).UploadId;
            bool completed = false;
            try
            {
                int parts = (int)((data.Length + (long)PartSize - 1) / PartSize);
                UploadPartResponse[] uploaded = await Task.WhenAll(Enumerable.Range(1, parts).Select(number => Limited(() =>
                {
                    int offset = (number - 1) * PartSize;
                    return s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = number,
                        InputStream = new MemoryStream(data, offset, Math.Min(PartSize, data.Length - offset), writable: false),
                        ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
                    }, cancellation);
                }))).ConfigureAwait(false);
                var complete = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, IfNoneMatch = "*" };
                complete.AddPartETagsAndChecksums(uploaded);
                try
                {
                    await Limited(() => s3.CompleteMultipartUploadAsync(complete, cancellation)).ConfigureAwait(false);
                    completed = true;
                    Interlocked.Increment(ref MultipartUploads);
                    return UploadOutcome.Created;
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    return UploadOutcome.AlreadyThere;
                }
            }
            finally
            {
                // Parts of an upload that did not complete are billed until aborted: abort it (best effort).
                if (!completed)
                {
                    await requests.WaitAsync().ConfigureAwait(false);   // also after Ctrl+C
                    try { await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false); }
                    catch (Exception) { }
                    finally { requests.Release(); }
                }
            }
        }

        private async Task<T> Limited<T>(Func<Task<T>> call)
        {
            await requests.WaitAsync(cancellation).ConfigureAwait(false);
            try { return await call().ConfigureAwait(false); }
            finally { requests.Release(); }
        }
    }
}
