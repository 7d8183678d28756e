using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Tasks;
using System.Threading;
using System;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using Amazon.S3.Model;
using Amazon.S3;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Products;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// Publish-ProductAsset: each product image goes to products/&lt;productId&gt;/&lt;sha256&gt;.&lt;ext&gt; (immutable, so cached
    /// for a year), then the product's images are rewritten to CDN URLs only if they are still what was read.
    /// Idempotent: CDN URLs are skipped, objects already in the bucket are not sent again.
    /// </summary>
    public sealed class AssetPublisher
    {
        public const string CacheControl = "public, max-age=31536000, immutable";
        private const string HashMetadata = "x-amz-meta-sha256";

        public async Task<AssetMigrationResult> PublishAsync(AssetPublishSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            AssetInputValidation.BucketName(spec.BucketName);
            string cdn = AssetInputValidation.CdnHost(spec.CdnDomain);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            using var fetcher = new ImageFetcher(spec.SourceRoot, spec.MaxImageBytes);
            var run = new Run(spec, cdn, dynamo, s3, fetcher, context);

            if (!spec.DryRun)
                await AwsCall.Run(() => s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = spec.BucketName }, context.Cancellation),
                    "GetBucketLocation", spec.BucketName).ConfigureAwait(false);   // a missing bucket stops the run before any product is touched

            await Parallel.ForEachAsync(ProductsAsync(spec, dynamo, context),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, spec.MaxConcurrency), CancellationToken = context.Cancellation },
                async (item, _) => await run.PublishProductAsync(item).ConfigureAwait(false)).ConfigureAwait(false);

            context.WriteProgress(new ProgressUpdate { Activity = run.Activity, Completed = true });
            return run.Result();
        }

        /// <summary>The products to publish: the given ids, the given categories (GSI1), or every product (a filtered Scan).</summary>
        private static async IAsyncEnumerable<Dictionary<string, AttributeValue>> ProductsAsync(AssetPublishSpec spec, IAmazonDynamoDB dynamo,
            IOperationContext context)
        {
            var catalog = new ProductCatalog(dynamo, spec.TableName, context);
            if (spec.ProductIds != null && spec.ProductIds.Length > 0)
            {
                foreach (string id in spec.ProductIds)
                {
                    Dictionary<string, AttributeValue> item = await catalog.GetProductAsync(id).ConfigureAwait(false);
                    if (item == null) context.WriteError(ProductService.NotFound(id, spec.TableName));
                    else yield return item;
                }
                yield break;
            }
            if (spec.Categories != null && spec.Categories.Length > 0)
            {
                foreach (string category in spec.Categories)
                    await foreach (var page in catalog.ProductPagesAsync(category).WithCancellation(context.Cancellation))
                        foreach (var item in page) yield return item;
                yield break;
            }
            Dictionary<string, AttributeValue> start = null;
            do
            {
                ScanResponse page = await AwsCall.Run(() => dynamo.ScanAsync(new ScanRequest
                {
                    TableName = spec.TableName,
                    FilterExpression = "entityType = :product",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":product"] = ProductService.S(EntityKeys.EntityType(EcommerceEntity.Product)) },
                    ExclusiveStartKey = start,
                }, context.Cancellation), "Scan", spec.TableName).ConfigureAwait(false);
                foreach (var item in page.Items ?? new List<Dictionary<string, AttributeValue>>()) yield return item;
                start = page.LastEvaluatedKey != null && page.LastEvaluatedKey.Count > 0 ? page.LastEvaluatedKey : null;
            } while (start != null);
        }

        /// <summary>The state of one run, shared by the concurrent product workers.</summary>
        private sealed class Run
        {
            private readonly AssetPublishSpec spec;
            private readonly string cdn;
            private readonly IAmazonDynamoDB dynamo;
            private readonly IAmazonS3 s3;
            private readonly ImageFetcher fetcher;
            private readonly IOperationContext context;
            private readonly Stopwatch clock = Stopwatch.StartNew();
            private readonly ConcurrentQueue<AssetReject> rejects = new ConcurrentQueue<AssetReject>();
            private long products, updated, uploaded, skipped, published, bytes, conflicts, files;

            internal Run(AssetPublishSpec spec, string cdn, IAmazonDynamoDB dynamo, IAmazonS3 s3, ImageFetcher fetcher, IOperationContext context)
            {
                this.spec = spec;
                this.cdn = cdn;
                this.dynamo = dynamo;
                this.s3 = s3;
                this.fetcher = fetcher;
                this.context = context;
                Activity = $"Publishing product images to s3://{spec.BucketName} for https://{cdn}" + (spec.DryRun ? " (what if)" : "");
            }

            internal string Activity { get; }
            private string CdnPrefix => $"https://{cdn}/products/";

            internal async Task PublishProductAsync(Dictionary<string, AttributeValue> item)
            {
                Interlocked.Increment(ref products);
                string id = item.TryGetValue("id", out AttributeValue idValue) && idValue.S != null ? idValue.S : item["PK"].S.Substring(item["PK"].S.IndexOf('#') + 1);
                item.TryGetValue("images", out AttributeValue original);
                string[] images = ProductItemJson.Strings(original);
                var rewritten = new List<string>(images.Length);
                bool changed = false;
                foreach (string image in images)
                {
                    string url = await PublishImageAsync(id, image).ConfigureAwait(false);
                    rewritten.Add(url ?? image);
                    changed |= url != null && url != image;
                }
                if (!changed || spec.DryRun) return;
                await RewriteAsync(item, id, original, rewritten).ConfigureAwait(false);
            }

            /// <summary>The CDN URL of the image (uploading it if needed), or null when it is rejected.</summary>
            private async Task<string> PublishImageAsync(string productId, string image)
            {
                if (image.StartsWith(CdnPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref published);
                    return image;
                }
                FetchedImage fetched = await fetcher.FetchAsync(image, context.Cancellation).ConfigureAwait(false);
                if (!fetched.Ok) return Reject(productId, image, fetched.RejectReason, fetched.Detail);
                var identified = ImageContent.Identify(fetched.Data, fetched.Name, fetched.ServerContentType);
                if (identified == null) return Reject(productId, image, "NotAnImage", "the content is not a known image format (jpeg, png, gif, webp, avif, svg, bmp, ico, tiff)");

                string hash = Convert.ToHexString(SHA256.HashData(fetched.Data)).ToLowerInvariant();
                string key = $"products/{productId}/{hash}.{identified.Value.Extension}";
                if (!spec.DryRun)
                {
                    try
                    {
                        if (await ExistsWithHashAsync(key, hash).ConfigureAwait(false))
                        {
                            Interlocked.Increment(ref skipped);
                            context.WriteVerbose($"{productId}: {key} is already in the bucket.");
                        }
                        else
                        {
                            await UploadAsync(key, hash, identified.Value.ContentType, fetched.Data).ConfigureAwait(false);
                            Interlocked.Increment(ref uploaded);
                            Interlocked.Add(ref bytes, fetched.Data.Length);
                        }
                    }
                    catch (EcommerceException ex)
                    {
                        return Reject(productId, image, "UploadFailed", ex.Message);
                    }
                }
                else
                {
                    Interlocked.Increment(ref uploaded);
                    Interlocked.Add(ref bytes, fetched.Data.Length);
                    context.WriteVerbose($"What if: upload {image} ({fetched.Data.Length} bytes, {identified.Value.ContentType}) to s3://{spec.BucketName}/{key}");
                }
                ReportProgress(productId);
                return $"https://{cdn}/{key}";
            }

            private async Task<bool> ExistsWithHashAsync(string key, string hash)
            {
                try
                {
                    GetObjectMetadataResponse head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = spec.BucketName, Key = key },
                        context.Cancellation).ConfigureAwait(false);
                    return string.Equals(head.Metadata[HashMetadata], hash, StringComparison.OrdinalIgnoreCase);
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }
                catch (AmazonS3Exception ex)
                {
                    throw AwsErrors.From(ex, key, "HeadObject");
                }
            }

            private Task UploadAsync(string key, string hash, string contentType, byte[] data)
            {
                var request = new PutObjectRequest
                {
                    BucketName = spec.BucketName,
                    Key = key,
                    InputStream = new System.IO.MemoryStream(data, writable: false),
                    ContentType = contentType,
                };
                request.Headers.CacheControl = CacheControl;
                request.Metadata.Add(HashMetadata, hash);
                return AwsCall.Run(() => s3.PutObjectAsync(request, context.Cancellation), "PutObject", key);
            }

            /// <summary>images := CDN URLs, imagesOriginal := the old list (first run only), only if images is still what was read.</summary>
            private async Task RewriteAsync(Dictionary<string, AttributeValue> item, string id, AttributeValue original, List<string> rewritten)
            {
                var values = new Dictionary<string, AttributeValue>
                {
                    [":new"] = new AttributeValue { L = rewritten.Select(ProductService.S).ToList() },
                    [":old"] = original,
                };
                try
                {
                    await AwsCall.Run(() => dynamo.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = spec.TableName,
                        Key = new Dictionary<string, AttributeValue> { ["PK"] = item["PK"], ["SK"] = item["SK"] },
                        UpdateExpression = "SET images = :new, imagesOriginal = if_not_exists(imagesOriginal, :old), updatedAt = :now",
                        ConditionExpression = "images = :old",
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue>(values) { [":now"] = ProductService.S(ProductService.Timestamp()) },
                    }, context.Cancellation), "UpdateItem", id).ConfigureAwait(false);
                    Interlocked.Increment(ref updated);
                    context.WriteVerbose($"{id}: images now point at https://{cdn}/.");
                }
                catch (EcommerceException ex) when (ex.ErrorId == "Aws.ConditionalCheckFailedException")
                {
                    Interlocked.Increment(ref conflicts);
                    Reject(id, string.Join(", ", ProductItemJson.Strings(original)), "ImagesChanged",
                        "the product's images changed while they were published; nothing was rewritten (run the command again)");
                }
            }

            private string Reject(string productId, string image, string reason, string detail)
            {
                var reject = new AssetReject { ProductId = productId, Image = image, Reason = reason, Detail = detail };
                rejects.Enqueue(reject);
                ErrorCategory category = reason switch
                {
                    "FileNotFound" => ErrorCategory.ObjectNotFound,
                    "OutsideSourceRoot" => ErrorCategory.PermissionDenied,
                    "DownloadFailed" => ErrorCategory.ConnectionError,
                    "ImagesChanged" => ErrorCategory.ResourceBusy,
                    "UploadFailed" => ErrorCategory.WriteError,
                    _ => ErrorCategory.InvalidData,
                };
                context.WriteError(new EcommerceException("Asset" + reason, category, reject,
                    $"Product {productId}: image '{image}' was not published: {detail}. The product keeps its old value for it.",
                    reason switch
                    {
                        "NoSourceRoot" => "Pass -SourceRoot with the old app's uploads folder.",
                        "FileNotFound" or "OutsideSourceRoot" => "Check -SourceRoot and the file, then run the command again (it resumes).",
                        _ => "Fix the image and run the command again; published images are not sent twice.",
                    }));
                return null;
            }

            private void ReportProgress(string productId)
            {
                long done = Interlocked.Increment(ref files);
                double seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                context.WriteProgress(new ProgressUpdate
                {
                    Activity = Activity,
                    Status = $"{done} images, {Interlocked.Read(ref bytes) / 1048576.0:0.0} MB, {done / seconds:0.0} files/s, {Interlocked.Read(ref products)} products",
                    CurrentOperation = productId,
                });
            }

            internal AssetMigrationResult Result() => new AssetMigrationResult
            {
                TableName = spec.TableName,
                BucketName = spec.BucketName,
                CdnDomain = cdn,
                ProductsScanned = products,
                ProductsUpdated = updated,
                ImagesUploaded = uploaded,
                ImagesSkipped = skipped,
                ImagesAlreadyPublished = published,
                ImagesRejected = rejects.Count(r => r.Reason != "ImagesChanged"),
                BytesUploaded = bytes,
                Conflicts = conflicts,
                Rejects = rejects.ToArray(),
                Duration = clock.Elapsed,
                WhatIf = spec.DryRun,
            };
        }
    }
}
