using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Cache;
using EcommerceAws.Engine.Input;

namespace EcommerceAws.Engine.Products
{
    /// <summary>
    /// findById / findByCategory / findAll of the guide's ProductModel: cache first, then the table (streamed page by
    /// page), then the cache is filled with the guide's TTLs. -All walks the categories listed in the table, not a fixed list.
    /// </summary>
    internal sealed class CachedProductReader
    {
        private readonly ProductCatalog catalog;
        private readonly ProductCache cache;   // null: no cache
        private readonly string tableName;
        private readonly IOperationContext context;

        internal CachedProductReader(ProductCatalog catalog, ProductCache cache, string tableName, IOperationContext context)
        {
            this.catalog = catalog;
            this.cache = cache;
            this.tableName = tableName;
            this.context = context;
        }

        internal async Task ById(string id)
        {
            ProductValidation.Id(id);
            if (cache != null)
            {
                string json = await cache.GetAsync(cache.Keys.Product(id)).ConfigureAwait(false);
                if (json != null && TryWriteCached(json)) return;
            }
            Dictionary<string, AttributeValue> item = await catalog.GetProductAsync(id).ConfigureAwait(false);
            if (item == null)
            {
                context.WriteError(ProductService.NotFound(id, tableName));
                return;
            }
            Write(ProductItemJson.FromItem(item, tableName));
            if (cache != null) await cache.SetAsync(cache.Keys.Product(id), ProductItemJson.ToJson(item), CacheKeys.ProductTtl).ConfigureAwait(false);
        }

        /// <summary>Streams one category; <paramref name="collectAll"/> (for -All) also receives every item read.</summary>
        internal async Task ByCategory(string category, List<Dictionary<string, AttributeValue>> collectAll)
        {
            if (cache != null && collectAll == null)
            {
                string json = await cache.GetAsync(cache.Keys.Category(category)).ConfigureAwait(false);
                if (json != null && TryWriteCached(json)) return;
            }
            var items = cache != null ? new List<Dictionary<string, AttributeValue>>() : null;
            await foreach (List<Dictionary<string, AttributeValue>> page in catalog.ProductPagesAsync(category).WithCancellation(context.Cancellation))
            {
                foreach (var item in page) Write(ProductItemJson.FromItem(item, tableName));
                items?.AddRange(page);
                collectAll?.AddRange(page);
            }
            if (cache != null) await cache.SetAsync(cache.Keys.Category(category), ProductItemJson.ToJsonArray(items), CacheKeys.ListTtl).ConfigureAwait(false);
        }

        internal async Task All()
        {
            if (cache != null)
            {
                string json = await cache.GetAsync(cache.Keys.All).ConfigureAwait(false);
                if (json != null && TryWriteCached(json)) return;
            }
            var all = cache != null ? new List<Dictionary<string, AttributeValue>>() : null;
            int categories = 0;
            await foreach (IReadOnlyList<string> page in catalog.CategoryPagesAsync(context.Cancellation))
            {
                foreach (string category in page)
                {
                    categories++;
                    context.WriteProgress(new ProgressUpdate { Activity = $"Reading products of {tableName}", Status = $"Category {categories}: {category}" });
                    await ByCategory(category, all).ConfigureAwait(false);
                }
            }
            context.WriteProgress(new ProgressUpdate { Activity = $"Reading products of {tableName}", Completed = true });
            if (categories == 0)
                context.WriteWarning($"Table '{tableName}' lists no categories under TYPE#category; -All finds products through their categories. Migrate the categories, or use -Category.");
            if (cache != null) await cache.SetAsync(cache.Keys.All, ProductItemJson.ToJsonArray(all), CacheKeys.ListTtl).ConfigureAwait(false);
        }

        /// <summary>Products written so far (from the table or the cache).</summary>
        internal long Written { get; private set; }

        private void Write(EcommerceAws.Output.EcommerceProduct product)
        {
            Written++;
            context.WriteObject(product);
        }

        /// <summary>
        /// After a category gave no product: read the one whose name differs only in case (-Category electronics finds
        /// Electronics), or warn with the categories that exist. A category that exists but is empty stays silent.
        /// </summary>
        internal async Task ByCategoryIgnoringCase(string category)
        {
            var names = new List<string>();
            await foreach (IReadOnlyList<string> page in catalog.CategoryPagesAsync(context.Cancellation)) names.AddRange(page);
            if (names.Contains(category, StringComparer.Ordinal)) return;
            string match = names.FirstOrDefault(n => string.Equals(n, category, StringComparison.OrdinalIgnoreCase));
            if (match != null)
            {
                context.WriteVerbose($"No category '{category}'; reading '{match}' (category names are case-sensitive in the table).");
                await ByCategory(match, null).ConfigureAwait(false);
                return;
            }
            const int shown = 30;
            List<string> sorted = names.OrderBy(n => n, StringComparer.CurrentCultureIgnoreCase).ToList();
            context.WriteWarning(sorted.Count == 0
                ? $"No category '{category}' in table '{tableName}': it lists no categories under TYPE#category (migrate the categories first)."
                : $"No category '{category}' in table '{tableName}'. It has {EcommerceAws.Output.DisplayText.Count(sorted.Count, "category")}: "
                  + string.Join(", ", sorted.Take(shown)) + (sorted.Count > shown ? $", and {sorted.Count - shown} more" : "") + ".");
        }

        /// <summary>Writes a cached product or list; false when the entry is not valid JSON (then the table is read instead).</summary>
        private bool TryWriteCached(string json)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                    foreach (JsonElement element in document.RootElement.EnumerateArray()) Write(ProductItemJson.FromJson(element, tableName));
                else
                    Write(ProductItemJson.FromJson(document.RootElement, tableName));
                return true;
            }
            catch (JsonException)
            {
                context.WriteWarning("A cache entry was not valid JSON; reading the table instead.");
                return false;
            }
        }
    }
}
