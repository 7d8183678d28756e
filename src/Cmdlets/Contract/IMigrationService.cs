using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>State of a migration as kept in its status item.</summary>
    public enum MigrationState { Running, Completed, Failed, Interrupted }

    /// <summary>Where a migration reads from: a MongoDB collection or a dump/export file (exactly one).</summary>
    public sealed class MigrationSourceSpec
    {
        public string MongoUri { get; init; }
        public string Database { get; init; }
        /// <summary>Collection name; null = the entity's default (DESIGN §4).</summary>
        public string Collection { get; init; }
        /// <summary>A mongoexport JSON or mongodump .bson/.bson.gz file (full path).</summary>
        public string Path { get; init; }
        public bool IsGiven => !string.IsNullOrEmpty(MongoUri) || !string.IsNullOrEmpty(Path);
    }

    /// <summary>What an Invoke-*Migration run asks for.</summary>
    public sealed class MigrationSpec
    {
        public EcommerceEntity Entity { get; init; }
        public string TableName { get; init; }
        public MigrationSourceSpec Source { get; init; }
        public int MaxConcurrency { get; init; } = 8;
        /// <summary>Full path of the rejects file; null = ./&lt;entity&gt;-rejects-&lt;runId&gt;.jsonl in WorkingDirectory.</summary>
        public string RejectPath { get; init; }
        public string WorkingDirectory { get; init; }
        public bool Restart { get; init; }
        /// <summary>Read and map everything, write nothing (no items, no status, no rejects file).</summary>
        public bool DryRun { get; init; }
    }

    /// <summary>What a verification asks for.</summary>
    public sealed class VerificationSpec
    {
        public EcommerceEntity Entity { get; init; }
        public string TableName { get; init; }
        /// <summary>The source to re-map a sample from; not given = counts only.</summary>
        public MigrationSourceSpec Source { get; init; }
        public int SampleSize { get; init; } = 100;
        public int Segments { get; init; } = 4;
    }

    /// <summary>Migration engine (DESIGN §5): runs, status items, verification, source clean-up.</summary>
    public interface IMigrationService
    {
        Task<MigrationResult> MigrateAsync(MigrationSpec spec, IOperationContext context);
        Task<IReadOnlyList<MigrationStatusInfo>> GetStatusAsync(string tableName, IReadOnlyList<EcommerceEntity> entities, IOperationContext context);
        Task<MigrationVerification> VerifyAsync(VerificationSpec spec, IOperationContext context);
        /// <summary>
        /// Deletes the status items of the entities; returns the entities whose item existed. An item a live run holds (lease) gets a
        /// non-terminating MigrationAlreadyRunning error and stays, unless <paramref name="force"/>.
        /// </summary>
        Task<IReadOnlyList<EcommerceEntity>> RemoveStatusAsync(string tableName, IReadOnlyList<EcommerceEntity> entities, bool force, IOperationContext context);
        /// <summary>Throws MigrationNotVerified unless the last verification passed after the last completed run.</summary>
        Task<string> CheckSourceRemovableAsync(string tableName, EcommerceEntity entity, MigrationSourceSpec source, IOperationContext context);
        /// <summary>Drops the source collection (after <see cref="CheckSourceRemovableAsync"/>).</summary>
        Task RemoveSourceAsync(string tableName, EcommerceEntity entity, MigrationSourceSpec source, IOperationContext context);
        /// <summary>The source description safe to print (password masked).</summary>
        string DescribeSource(EcommerceEntity entity, MigrationSourceSpec source);
    }
}
