using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// The objects already under the run's prefixes, from one ListObjectsV2 pass (1,000 keys per request) instead of a HEAD
    /// per image. The first page is read before any product is touched, so a missing bucket or a missing s3:ListBucket
    /// stops the run at once; the other pages load in the background while the first images are read and hashed.
    /// </summary>
    internal sealed class BucketInventory
    {
        private readonly ConcurrentDictionary<string, long> sizes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private Task complete = Task.CompletedTask;

        private BucketInventory() { }

        /// <summary>No listing (-WhatIf): every image counts as new.</summary>
        internal static BucketInventory Empty { get; } = new BucketInventory();

        internal long Listed => sizes.Count;

        internal static async Task<BucketInventory> StartAsync(IAmazonS3 s3, string bucket, IReadOnlyList<string> prefixes, CancellationToken cancellation)
        {
            var inventory = new BucketInventory();
            string firstToken = await inventory.ListPageAsync(s3, bucket, prefixes[0], null, cancellation).ConfigureAwait(false);
            inventory.complete = Task.Run(async () =>
            {
                for (int i = 0; i < prefixes.Count; i++)
                {
                    string token = i == 0 ? firstToken : await inventory.ListPageAsync(s3, bucket, prefixes[i], null, cancellation).ConfigureAwait(false);
                    while (token != null) token = await inventory.ListPageAsync(s3, bucket, prefixes[i], token, cancellation).ConfigureAwait(false);
                }
            }, cancellation);
            return inventory;
        }

        /// <summary>The size of the object at <paramref name="key"/>, or null when there is none (waits for the listing to finish).</summary>
        internal async Task<long?> SizeOfAsync(string key)
        {
            await complete.ConfigureAwait(false);
            return sizes.TryGetValue(key, out long size) ? size : null;
        }

        /// <summary>Records an object this run created, so a second image with the same content is not sent again.</summary>
        internal void Add(string key, long size) => sizes.TryAdd(key, size);

        private async Task<string> ListPageAsync(IAmazonS3 s3, string bucket, string prefix, string token, CancellationToken cancellation)
        {
            ListObjectsV2Response page;
            try
            {
                page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token }, cancellation)
                    .ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new EcommerceException("Aws." + (string.IsNullOrEmpty(ex.ErrorCode) ? "AccessDenied" : ex.ErrorCode), ErrorCategory.PermissionDenied, bucket,
                    $"ListObjectsV2 of s3://{bucket}/{prefix} was refused ({ex.ErrorCode}: {ex.Message}). Publish-ProductAsset lists the images already in the bucket once instead of asking per image.",
                    $"Grant s3:ListBucket on arn:aws:s3:::{bucket} (a condition StringLike s3:prefix = products/* is enough), as Get-EcommerceIamPolicy -Scope Migrate does.", ex);
            }
            catch (AmazonServiceException ex)
            {
                throw AwsErrors.From(ex, bucket, "ListObjectsV2");
            }
            catch (Exception ex) when (ex is System.Net.Http.HttpRequestException or AmazonClientException && !cancellation.IsCancellationRequested)
            {
                throw EcommerceErrors.AwsEndpointUnreachable("ListObjectsV2", bucket, ex);
            }
            foreach (S3Object item in page.S3Objects ?? new List<S3Object>()) sizes[item.Key] = item.Size ?? 0;
            return page.IsTruncated == true ? page.NextContinuationToken : null;
        }
    }
}
