namespace EcommerceAws.Output
{
    /// <summary>Whether one service of the stack answered from this machine, how fast, and if not, why in plain words.</summary>
    public sealed class ConnectionTestResult
    {
        /// <summary>DynamoDB, S3, CDN, Redis or MongoDB.</summary>
        public string Service { get; init; }
        /// <summary>What was checked (table, bucket, domain, URL with secrets masked).</summary>
        public string Target { get; init; }
        public bool Reachable { get; init; }
        /// <summary>True when the target was not given, so nothing was checked.</summary>
        public bool Skipped { get; init; }
        public long? LatencyMs { get; init; }
        /// <summary>Why it failed, in plain words; null when reachable.</summary>
        public string Error { get; init; }
        /// <summary>What was seen (e.g. the table status, the CDN's HTTP status) or why the check was skipped.</summary>
        public string Note { get; init; }
    }
}
