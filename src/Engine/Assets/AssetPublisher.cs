using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Items;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Products;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// Publish-ProductAsset: each product image goes to products/&lt;productId&gt;/&lt;sha256&gt;.&lt;ext&gt; (immutable, so cached
    /// for a year), then the product's images are rewritten to CDN URLs only if they are still what was read.
    /// Idempotent: CDN URLs are skipped, objects already in the bucket are not sent again, and nothing is ever overwritten.
    /// Cost per new image: one PUT (If-None-Match: *), plus one UpdateItem per product and one ListObjectsV2 per 1,000
    /// objects already in the bucket — the AWS CLI's `s3 sync` needs one PUT per file and the same listing.
    /// </summary>
    public sealed class AssetPublisher
    {
        public const string CacheControl = "public, max-age=31536000, immutable";
        private const string HashMetadata = "sha256";

        /// <summary>The URL this publisher writes for an image: https://&lt;cdn&gt;/products/&lt;productId&gt;/&lt;sha256&gt;.&lt;ext&gt;.</summary>
        public static string PublishedUrl(string cdnHost, string productId, string sha256Hex, string extension) =>
            $"https://{cdnHost}/products/{productId}/{sha256Hex}.{extension}";

        /// <summary>Whether <paramref name="url"/> has the form of <see cref="PublishedUrl"/> for this product (verification accepts it in place of the source's image).</summary>
        public static bool IsPublishedUrl(string url, string productId) =>
            url != null && System.Text.RegularExpressions.Regex.IsMatch(url,
                "^https://[A-Za-z0-9.-]+(:[0-9]+)?/products/" + System.Text.RegularExpressions.Regex.Escape(productId) + "/[0-9a-f]{64}\\.[a-z0-9]+$",
                System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        public async Task<AssetMigrationResult> PublishAsync(AssetPublishSpec spec, IOperationContext context)
        {
            InputValidation.TableName(spec.TableName);
            AssetInputValidation.BucketName(spec.BucketName);
            string cdn = AssetInputValidation.CdnHost(spec.CdnDomain);
            using IAmazonDynamoDB dynamo = AwsClientFactory.DynamoDb(context.Aws);
            using IAmazonS3 s3 = AwsClientFactory.S3(context.Aws);
            using var fetcher = new ImageFetcher(spec.SourceRoot, spec.MaxImageBytes);
            using var rejectLog = new AssetRejectLog(spec.RejectPath, spec.WorkingDirectory, enabled: !spec.DryRun);
            using var requests = new SemaphoreSlim(Math.Max(1, spec.MaxConcurrency));

            // One listing instead of a HEAD per image; its first page also proves the bucket exists before any product is touched.
            BucketInventory inventory = spec.DryRun ? BucketInventory.Empty
                : await BucketInventory.StartAsync(s3, spec.BucketName, Prefixes(spec), context.Cancellation).ConfigureAwait(false);
            var uploader = new ConditionalUploader(s3, spec.BucketName, requests, context.Cancellation);
            var run = new Run(spec, cdn, dynamo, uploader, requests, inventory, fetcher, rejectLog, context);

            // Products in flight: twice the request budget, so reading and hashing the next images overlaps the requests.
            await Parallel.ForEachAsync(ProductsAsync(spec, dynamo, context),
                new ParallelOptions { MaxDegreeOfParallelism = 2 * Math.Max(1, spec.MaxConcurrency), CancellationToken = context.Cancellation },
                async (item, _) => await run.PublishProductAsync(item).ConfigureAwait(false)).ConfigureAwait(false);

            context.WriteProgress(new ProgressUpdate { Activity = run.Activity, Completed = true });
            AssetMigrationResult result = run.Result();
            context.WriteVerbose($"{result.ImagesUploaded} images uploaded ({Interlocked.Read(ref uploader.MultipartUploads)} of them in parts), {result.ImagesSkipped} already in the bucket ({inventory.Listed} objects listed), {result.ProductsUpdated} products rewritten in {result.Duration.TotalSeconds:0.0} s.");
            run.WarnAboutRejects(result);
            return result;
        }

        /// <summary>The key prefixes to list: the given products' folders, or all of products/.</summary>
        private static IReadOnlyList<string> Prefixes(AssetPublishSpec spec) =>
            spec.ProductIds != null && spec.ProductIds.Length > 0
                ? spec.ProductIds.Distinct(StringComparer.Ordinal).Select(id => $"products/{id}/").ToList()
                : new[] { "products/" };

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
                ScanResponse page = await AwsCall.RunOnTable(() => dynamo.ScanAsync(new ScanRequest
                {
                    TableName = spec.TableName,
                    FilterExpression = "entityType = :product",
                    // Only what the rewrite needs: smaller pages, fewer read units.
                    ProjectionExpression = "#pk, #sk, #id, #images",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = "PK", ["#sk"] = "SK", ["#id"] = "id", ["#images"] = "images" },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":product"] = ProductService.S(EntityKeys.EntityType(EcommerceEntity.Product)) },
                    ExclusiveStartKey = start,
                }, context.Cancellation), "Scan", spec.TableName, spec.TableName).ConfigureAwait(false);
                foreach (var item in page.Items ?? new List<Dictionary<string, AttributeValue>>()) yield return item;
                start = page.LastEvaluatedKey != null && page.LastEvaluatedKey.Count > 0 ? page.LastEvaluatedKey : null;
            } while (start != null);
        }

        /// <summary>The state of one run, shared by the concurrent product workers.</summary>
        private sealed class Run
        {
            private static readonly long ProgressEvery = Stopwatch.Frequency / 4;
            private readonly AssetPublishSpec spec;
            private readonly string cdn;
            private readonly IAmazonDynamoDB dynamo;
            private readonly ConditionalUploader uploader;
            private readonly SemaphoreSlim requests;
            private readonly BucketInventory inventory;
            private readonly ImageFetcher fetcher;
            private readonly AssetRejectLog rejectLog;
            private readonly IOperationContext context;
            private readonly Stopwatch clock = Stopwatch.StartNew();
            private readonly ConcurrentQueue<AssetReject> rejects = new ConcurrentQueue<AssetReject>();
            private long products, updated, uploaded, skipped, published, bytes, conflicts, files, lastProgress;

            internal Run(AssetPublishSpec spec, string cdn, IAmazonDynamoDB dynamo, ConditionalUploader uploader, SemaphoreSlim requests,
                BucketInventory inventory, ImageFetcher fetcher, AssetRejectLog rejectLog, IOperationContext context)
            {
                this.spec = spec;
                this.cdn = cdn;
                this.dynamo = dynamo;
                this.uploader = uploader;
                this.requests = requests;
                this.inventory = inventory;
                this.fetcher = fetcher;
                this.rejectLog = rejectLog;
                this.context = context;
                Activity = $"Publishing product images to s3://{spec.BucketName} for https://{cdn}" + (spec.DryRun ? " (what if)" : "");
            }

            internal string Activity { get; }
            private string CdnPrefix => $"https://{cdn}/products/";

            internal async Task PublishProductAsync(Dictionary<string, AttributeValue> item)
            {
                Interlocked.Increment(ref products);
                string id = item.TryGetValue("id", out AttributeValue idValue) && idValue.S != null ? idValue.S : item[EntityKeys.PartitionKey].S.Substring(item[EntityKeys.PartitionKey].S.IndexOf('#') + 1);
                item.TryGetValue("images", out AttributeValue original);
                string[] images = ProductItemJson.Strings(original);
                // The product's images go up side by side; the rewrite waits for all of them.
                string[] urls = await Task.WhenAll(images.Select(image => PublishImageAsync(id, image))).ConfigureAwait(false);
                var rewritten = new List<string>(images.Length);
                bool changed = false;
                for (int i = 0; i < images.Length; i++)
                {
                    rewritten.Add(urls[i] ?? images[i]);
                    changed |= urls[i] != null && urls[i] != images[i];
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
                using (fetched.Reservation) return await PublishFetchedAsync(productId, image, fetched).ConfigureAwait(false);
            }

            private async Task<string> PublishFetchedAsync(string productId, string image, FetchedImage fetched)
            {
                var identified = ImageContent.Identify(fetched.Data, fetched.Name, fetched.ServerContentType);
                if (identified == null) return Reject(productId, image, "NotAnImage", "the content is not a known image format (jpeg, png, gif, webp, avif, svg, bmp, ico, tiff)");

                string hash = Convert.ToHexString(SHA256.HashData(fetched.Data)).ToLowerInvariant();
                string url = PublishedUrl(cdn, productId, hash, identified.Value.Extension);
                string key = url.Substring($"https://{cdn}/".Length);
                if (spec.DryRun)
                {
                    Interlocked.Increment(ref uploaded);
                    Interlocked.Add(ref bytes, fetched.Data.Length);
                    context.WriteVerbose($"What if: upload {image} ({fetched.Data.Length} bytes, {identified.Value.ContentType}) to s3://{spec.BucketName}/{key}");
                }
                else
                {
                    long? existing = await inventory.SizeOfAsync(key).ConfigureAwait(false);
                    if (existing != null && existing != fetched.Data.Length)
                        return Reject(productId, image, "ObjectMismatch",
                            $"s3://{spec.BucketName}/{key} already holds {existing} bytes, this image has {fetched.Data.Length}; the object was not overwritten (delete it if it is not this image)");
                    if (existing != null)
                    {
                        Interlocked.Increment(ref skipped);
                        context.WriteVerbose($"{productId}: {key} is already in the bucket.");
                    }
                    else
                    {
                        UploadOutcome outcome;
                        try
                        {
                            outcome = await uploader.CreateAsync(key, fetched.Data, identified.Value.ContentType, CacheControl,
                                new Dictionary<string, string> { [HashMetadata] = hash }).ConfigureAwait(false);
                        }
                        catch (EcommerceException ex) when (!IsRunWide(ex))
                        {
                            return Reject(productId, image, "UploadFailed", ex.Message);
                        }
                        if (outcome == UploadOutcome.Created)
                        {
                            inventory.Add(key, fetched.Data.Length);
                            Interlocked.Increment(ref uploaded);
                            Interlocked.Add(ref bytes, fetched.Data.Length);
                        }
                        else
                        {
                            // Written by someone else since the listing (another run): same key, so same content by construction.
                            Interlocked.Increment(ref skipped);
                            context.WriteVerbose($"{productId}: {key} appeared in the bucket since it was listed (412 PreconditionFailed); it was not overwritten.");
                        }
                    }
                }
                ReportProgress(productId);
                return url;
            }

            /// <summary>Errors that no other image would escape (no permission, no bucket, bad keys): they stop the run instead of rejecting every image.</summary>
            private static bool IsRunWide(EcommerceException ex) =>
                ex.Category is ErrorCategory.PermissionDenied or ErrorCategory.AuthenticationError || ex.ErrorId is "Aws.NoSuchBucket" or "TableNotFound";

            /// <summary>images := CDN URLs, imagesOriginal := the old list (first run only), only if images is still what was read.</summary>
            private async Task RewriteAsync(Dictionary<string, AttributeValue> item, string id, AttributeValue original, List<string> rewritten)
            {
                var request = new UpdateItemRequest
                {
                    TableName = spec.TableName,
                    Key = new Dictionary<string, AttributeValue> { [EntityKeys.PartitionKey] = item[EntityKeys.PartitionKey], [EntityKeys.SortKey] = item[EntityKeys.SortKey] },
                    UpdateExpression = "SET images = :new, imagesOriginal = if_not_exists(imagesOriginal, :old), updatedAt = :now",
                    ConditionExpression = "images = :old",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":new"] = new AttributeValue { L = rewritten.Select(ProductService.S).ToList() },
                        [":old"] = original,
                        [":now"] = ProductService.S(ProductService.Timestamp()),
                    },
                };
                // The item as the update would leave it must still be one DynamoDB takes (longer URLs can push it past 400 KB).
                var after = new Dictionary<string, AttributeValue>(item) { ["images"] = request.ExpressionAttributeValues[":new"], ["updatedAt"] = request.ExpressionAttributeValues[":now"] };
                if (!after.ContainsKey("imagesOriginal")) after["imagesOriginal"] = original;
                ItemCheck check = ItemRules.SingleTable.Check(after);
                if (!check.IsOk)
                {
                    Reject(id, string.Join(", ", ProductItemJson.Strings(original)), check.Reason.ToString(),
                        $"the product with its images rewritten would break DynamoDB's rules ({check.Field}: {check.Detail}); nothing was rewritten");
                    return;
                }
                await requests.WaitAsync(context.Cancellation).ConfigureAwait(false);
                try
                {
                    await AwsCall.RunOnTable(() => dynamo.UpdateItemAsync(request, context.Cancellation), "UpdateItem", id, spec.TableName).ConfigureAwait(false);
                    Interlocked.Increment(ref updated);
                    context.WriteVerbose($"{id}: images now point at https://{cdn}/.");
                }
                catch (EcommerceException ex) when (ex.ErrorId == "Aws.ConditionalCheckFailedException")
                {
                    Interlocked.Increment(ref conflicts);
                    Reject(id, string.Join(", ", ProductItemJson.Strings(original)), "ImagesChanged",
                        "the product's images changed while they were published; nothing was rewritten (run the command again)");
                }
                catch (EcommerceException ex) when (!IsRunWide(ex))
                {
                    // Throttled beyond the SDK's retries, or a transient failure: the images are in the bucket, a re-run rewrites the product.
                    Reject(id, string.Join(", ", ProductItemJson.Strings(original)), "RewriteFailed",
                        $"the images were uploaded but the product was not rewritten ({ex.Message}); run the command again");
                }
                finally { requests.Release(); }
            }

            /// <summary>A reject of a whole product's rewrite (its images were fine), not of one image.</summary>
            private static bool IsProductReject(AssetReject reject) => reject.Reason is "ImagesChanged" or "RewriteFailed";

            /// <summary>Records a reject (rejects file, Rejects, a verbose line); the warning at the end sums them up.</summary>
            private string Reject(string productId, string image, string reason, string detail)
            {
                var reject = new AssetReject { ProductId = productId, Image = image, Reason = reason, Detail = detail };
                rejects.Enqueue(reject);
                rejectLog.Write(reject);
                context.WriteVerbose($"Product {productId}: image '{image}' was not published ({reason}): {detail}.");
                return null;
            }

            /// <summary>One warning for all rejects (count by reason, where the details are, what to do) instead of one error per image.</summary>
            internal void WarnAboutRejects(AssetMigrationResult result)
            {
                AssetReject[] all = result.Rejects;
                if (all.Length == 0) return;
                string reasons = string.Join(", ", all.GroupBy(r => r.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key} {g.Count()}"));
                string what = result.ImagesRejected == 0 ? ""
                    : $"{result.ImagesRejected} {(result.ImagesRejected == 1 ? "image was" : "images were")} not published";
                long notRewritten = all.Count(IsProductReject);
                if (notRewritten > 0)
                    what += (what.Length > 0 ? " and " : "") + $"{notRewritten} {(notRewritten == 1 ? "product was" : "products were")} not rewritten";
                string where = spec.DryRun ? "See the result's Rejects (no rejects file with -WhatIf)."
                    : result.RejectPath != null ? $"Details: {result.RejectPath} (or the result's Rejects)."
                    : $"The rejects file could not be written ({rejectLog.Failure}); see the result's Rejects.";
                context.WriteWarning($"{(spec.DryRun ? "What if: " : "")}{what} ({reasons}); the products keep their old values for them. {where} " +
                    "Fix the causes and run the command again: it resumes, and published images are not sent twice.");
            }

            private void ReportProgress(string productId)
            {
                long done = Interlocked.Increment(ref files);
                long now = clock.ElapsedTicks, last = Interlocked.Read(ref lastProgress);
                // Write-Progress costs the pipeline thread time: a few updates a second are enough.
                if (now - last < ProgressEvery || Interlocked.CompareExchange(ref lastProgress, now, last) != last) return;
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
                ImagesRejected = rejects.Count(r => !IsProductReject(r)),
                BytesUploaded = bytes,
                Conflicts = conflicts,
                Rejects = rejects.ToArray(),
                RejectPath = rejectLog.Written ? rejectLog.Path : null,
                Duration = clock.Elapsed,
                WhatIf = spec.DryRun,
            };
        }
    }
}
