using System;
using EcommerceAws.Contract;

namespace EcommerceAws.Output
{
    /// <summary>One entity's migration run (Invoke-*Migration). Written/Rejected are totals of the migration, resumed runs included.</summary>
    public sealed class MigrationResult
    {
        public string RunId { get; init; }
        public EcommerceEntity Entity { get; init; }
        /// <summary>Where the documents came from; MongoDB passwords masked as ****.</summary>
        public string Source { get; init; }
        public string TableName { get; init; }
        public long SourceCount { get; init; }
        public long Written { get; init; }
        public long Rejected { get; init; }
        /// <summary>Items written by this invocation (0 when a completed migration is run again).</summary>
        public long WrittenThisRun { get; init; }
        public long RejectedThisRun { get; init; }
        public TimeSpan Duration { get; init; }
        public double ItemsPerSecond { get; init; }
        public MigrationState State { get; init; }
        /// <summary>Position of the last document such that every document up to it is written or rejected.</summary>
        public string Checkpoint { get; init; }
        public string RejectPath { get; init; }
        /// <summary>Write (BatchWriteItem) or Import (staged in S3, loaded by DynamoDB's ImportTable).</summary>
        public MigrationMethod Method { get; init; }
        /// <summary>Import only: the ImportTable job that loaded the items (its errors are in CloudWatch Logs, /aws-dynamodb/imports).</summary>
        public string ImportArn { get; init; }
        /// <summary>Import only: the gzipped DYNAMODB_JSON objects staged for this entity, their bytes in S3, and their uncompressed bytes (what ImportTable bills).</summary>
        public int StagingObjects { get; init; }
        public long StagingBytes { get; init; }
        public long UncompressedBytes { get; init; }
        /// <summary>True for -WhatIf: everything was read and mapped, nothing written.</summary>
        public bool WhatIf { get; init; }
        public string[] Notes { get; init; } = Array.Empty<string>();
    }
}
