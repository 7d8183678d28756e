using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>One image read from the old app: its bytes, or why it could not be read.</summary>
    internal sealed class FetchedImage
    {
        public byte[] Data { get; init; }
        public string Name { get; init; }
        public string ServerContentType { get; init; }
        public string RejectReason { get; init; }
        public string Detail { get; init; }
        public bool Ok => RejectReason == null;
        /// <summary>The image's share of the run's memory budget: dispose once the image is uploaded.</summary>
        public IDisposable Reservation { get; init; }

        internal static FetchedImage Reject(string reason, string detail) => new FetchedImage { RejectReason = reason, Detail = detail };
    }

    /// <summary>Reads an image entry: an http(s) URL is downloaded, anything else is a path under the uploads folder (never outside it).</summary>
    internal sealed class ImageFetcher : IDisposable
    {
        private readonly HttpClient http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        private readonly string sourceRoot;
        private readonly long maxBytes;
        private readonly ByteBudget budget;

        /// <param name="sourceRoot">The old app's uploads folder (null when every image is a URL).</param>
        /// <param name="maxBytes">Larger images are rejected (TooLarge).</param>
        /// <param name="memoryBudget">Image bytes held at once by all the images read and not yet released.</param>
        public ImageFetcher(string sourceRoot, long maxBytes, long memoryBudget = 256L * 1024 * 1024)
        {
            this.sourceRoot = string.IsNullOrWhiteSpace(sourceRoot) ? null : Path.GetFullPath(sourceRoot);
            this.maxBytes = maxBytes;
            budget = new ByteBudget(memoryBudget);
        }

        public static bool IsUrl(string image) =>
            image.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || image.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

        public Task<FetchedImage> FetchAsync(string image, CancellationToken cancellation) =>
            IsUrl(image) ? DownloadAsync(image, cancellation) : ReadLocalAsync(image, cancellation);

        private async Task<FetchedImage> DownloadAsync(string url, CancellationToken cancellation)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    return FetchedImage.Reject("DownloadFailed", $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
                if (response.Content.Headers.ContentLength > maxBytes)
                    return FetchedImage.Reject("TooLarge", $"{response.Content.Headers.ContentLength} bytes is over the {maxBytes}-byte limit");
                // Without a Content-Length, count 1 MiB: the limit above still applies once the body is read.
                IDisposable reservation = await budget.AcquireAsync(response.Content.Headers.ContentLength ?? 1024 * 1024, cancellation).ConfigureAwait(false);
                try
                {
                    byte[] data = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
                    if (data.Length > maxBytes) { reservation.Dispose(); return FetchedImage.Reject("TooLarge", $"{data.Length} bytes is over the {maxBytes}-byte limit"); }
                    return new FetchedImage { Data = data, Name = new Uri(url).AbsolutePath, ServerContentType = response.Content.Headers.ContentType?.MediaType, Reservation = reservation };
                }
                catch
                {
                    reservation.Dispose();
                    throw;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                return FetchedImage.Reject("DownloadFailed", ex is TaskCanceledException ? "the download timed out" : ex.Message);
            }
        }

        private async Task<FetchedImage> ReadLocalAsync(string image, CancellationToken cancellation)
        {
            if (sourceRoot == null)
                return FetchedImage.Reject("NoSourceRoot", "the image is a path, and no -SourceRoot (the old app's uploads folder) was given");
            string relative = Uri.UnescapeDataString(image.Split('?', '#')[0]).Replace('\\', '/').TrimStart('/');
            // "/uploads/a.jpg" with -SourceRoot pointing at the uploads folder itself: try without the first segment too.
            int slash = relative.IndexOf('/');
            string[] candidates = slash > 0 ? new[] { relative, relative.Substring(slash + 1) } : new[] { relative };
            foreach (string candidate in candidates)
            {
                string full = Path.GetFullPath(Path.Combine(sourceRoot, candidate));
                if (!full.StartsWith(sourceRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    return FetchedImage.Reject("OutsideSourceRoot", "the path leads outside -SourceRoot");
                if (!File.Exists(full)) continue;
                long length = new FileInfo(full).Length;
                if (length > maxBytes) return FetchedImage.Reject("TooLarge", $"{length} bytes is over the {maxBytes}-byte limit");
                IDisposable reservation = await budget.AcquireAsync(length, cancellation).ConfigureAwait(false);
                try
                {
                    return new FetchedImage { Data = await File.ReadAllBytesAsync(full, cancellation).ConfigureAwait(false), Name = full, Reservation = reservation };
                }
                catch
                {
                    reservation.Dispose();
                    throw;
                }
            }
            return FetchedImage.Reject("FileNotFound", $"no such file under -SourceRoot ({string.Join(" or ", candidates)})");
        }

        public void Dispose() => http.Dispose();
    }
}
