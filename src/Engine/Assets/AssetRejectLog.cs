using System;
using System.IO;
using System.Text;
using System.Text.Json;
using EcommerceAws.Output;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>
    /// Publish-ProductAsset's rejects file: one JSON object per line {productId, image, reason, detail}, like the
    /// migration's. Created on the first reject only, appended to when it exists.
    /// </summary>
    internal sealed class AssetRejectLog : IDisposable
    {
        private readonly object gate = new object();
        private readonly bool enabled;
        private StreamWriter writer;

        /// <param name="rejectPath">-RejectPath: the file, or an existing folder for it; null for the working directory.</param>
        /// <param name="workingDirectory">The caller's current folder.</param>
        /// <param name="enabled">False for -WhatIf: nothing is written.</param>
        internal AssetRejectLog(string rejectPath, string workingDirectory, bool enabled)
        {
            this.enabled = enabled;
            string fileName = $"asset-rejects-{DateTime.UtcNow:yyyyMMdd-HHmmss}.jsonl";
            Path = rejectPath == null ? System.IO.Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), fileName)
                : Directory.Exists(rejectPath) ? System.IO.Path.Combine(rejectPath, fileName)
                : rejectPath;
        }

        internal string Path { get; }

        /// <summary>True once a line has been written.</summary>
        internal bool Written { get; private set; }

        internal void Write(AssetReject reject)
        {
            if (!enabled) return;
            string line = JsonSerializer.Serialize(new { productId = reject.ProductId, image = reject.Image, reason = reject.Reason, detail = reject.Detail });
            lock (gate)
            {
                if (Failure != null) return;
                try
                {
                    if (writer == null)
                    {
                        string folder = System.IO.Path.GetDirectoryName(Path);
                        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                        writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
                    }
                    writer.WriteLine(line);
                    Written = true;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The run goes on: the rejects stay in the result's Rejects, and the warning says why there is no file.
                    Failure = ex.Message;
                }
            }
        }

        /// <summary>Why the file could not be written (null when it could).</summary>
        internal string Failure { get; private set; }

        public void Dispose()
        {
            lock (gate)
            {
                writer?.Dispose();
                writer = null;
            }
        }
    }
}
