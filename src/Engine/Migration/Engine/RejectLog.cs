using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace EcommerceAws.Engine.Migration.Engine
{
    /// <summary>The rejects file: one JSON object per line {entity, _id, reason, field, detail}; created on the first reject, appended on resume.</summary>
    internal sealed class RejectLog : IDisposable
    {
        private readonly object gate = new object();
        private readonly string path;
        private readonly bool enabled;
        private StreamWriter writer;

        public RejectLog(string path, bool enabled)
        {
            this.path = path;
            this.enabled = enabled;
        }

        public void Write(RejectRecord reject)
        {
            if (!enabled) return;
            string line = JsonSerializer.Serialize(new
            {
                entity = reject.Entity.ToString(),
                _id = reject.Id,
                reason = reject.Reason.ToString(),
                field = reject.Field,
                detail = reject.Detail,
            });
            lock (gate)
            {
                if (writer == null)
                {
                    string folder = Path.GetDirectoryName(path);
                    if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                    writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
                }
                writer.WriteLine(line);
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
