using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// The rejects file: one JSON object per line {entity, _id, reason, field, detail, position}; created on the first reject,
    /// appended on resume. A resumed run re-reads the documents after the checkpoint, some of which the interrupted run had
    /// already rejected (its reader runs ahead of the watermark): <see cref="SkipAlreadyLogged"/> loads those positions so each
    /// document has one record.
    /// </summary>
    internal sealed class RejectLog : IDisposable
    {
        private readonly object gate = new object();
        private readonly string path;
        private readonly bool enabled;
        private readonly HashSet<string> logged = new HashSet<string>(StringComparer.Ordinal);
        private StreamWriter writer;

        public RejectLog(string path, bool enabled)
        {
            this.path = path;
            this.enabled = enabled;
        }

        /// <summary>
        /// Where a run's rejects go: <paramref name="rejectPath"/> as a file, or in it when it is an existing folder; without it
        /// &lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in <paramref name="workingDirectory"/> (the current directory when null).
        /// </summary>
        public static string PathFor(Contract.EcommerceEntity entity, string runId, string rejectPath, string workingDirectory)
        {
            string fileName = $"{entity.ToString().ToLowerInvariant()}-rejects-{runId}.jsonl";
            return rejectPath == null ? Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), fileName)
                : Directory.Exists(rejectPath) ? Path.Combine(rejectPath, fileName)
                : rejectPath;
        }

        /// <summary>
        /// Remembers the positions already in <paramref name="files"/> for which <paramref name="afterCheckpoint"/> is true (the
        /// documents this run reads again); returns how many. Unreadable lines are ignored.
        /// </summary>
        public int SkipAlreadyLogged(IEnumerable<string> files, Func<string, bool> afterCheckpoint)
        {
            int loaded = 0;
            foreach (string file in files)
            {
                if (string.IsNullOrEmpty(file) || !File.Exists(file)) continue;
                foreach (string line in File.ReadLines(file))
                {
                    string position = null;
                    try
                    {
                        using JsonDocument json = JsonDocument.Parse(line);
                        if (json.RootElement.TryGetProperty("position", out JsonElement p) && p.ValueKind == JsonValueKind.String) position = p.GetString();
                    }
                    catch (JsonException) { continue; }
                    if (position != null && afterCheckpoint(position) && logged.Add(position)) loaded++;
                }
            }
            return loaded;
        }

        /// <summary>Appends the record; false when a record for this position is already in the file (nothing written).</summary>
        public bool Write(RejectRecord reject)
        {
            if (!enabled) return false;
            string line = JsonSerializer.Serialize(new
            {
                entity = reject.Entity.ToString(),
                _id = reject.Id,
                reason = reject.Reason.ToString(),
                field = reject.Field,
                detail = reject.Detail,
                position = reject.Position,
            });
            lock (gate)
            {
                if (reject.Position != null && logged.Count > 0 && logged.Remove(reject.Position)) return false;
                if (writer == null)
                {
                    string folder = Path.GetDirectoryName(path);
                    if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                    writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
                }
                writer.WriteLine(line);
                return true;
            }
        }

        public void Flush()
        {
            lock (gate) writer?.Flush();
        }

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
