using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Migration.Import
{
    /// <summary>Where an import run's bytes live in the staging bucket (docs/DESIGN.md §5).</summary>
    internal static class StagingLayout
    {
        /// <summary>Every staged object of the module lives under this prefix, which one lifecycle rule expires.</summary>
        public const string Root = "ecommerceaws-import/";
        public const string LifecycleRuleId = "EcommerceAws-expire-import-staging";
        /// <summary>Days after which the lifecycle rule expires a staged object a run did not delete (failed, abandoned or -KeepStaging).</summary>
        public const int ExpireDays = 7;

        public static string ManifestKey(string table) => $"{Root}{table}/manifest.json";
        public static string RunPrefix(string table, string runId) => $"{Root}{table}/{runId}/";
        /// <summary>ImportTable's S3KeyPrefix: only the data objects, never the manifest.</summary>
        public static string DataPrefix(string table, string runId) => RunPrefix(table, runId) + "data/";
        public static string PartKey(string table, string runId, EcommerceEntity entity, int number) =>
            $"{DataPrefix(table, runId)}{entity.ToString().ToLowerInvariant()}-{number:D5}.json.gz";
    }

    /// <summary>One staged object: gzipped DYNAMODB_JSON lines of one entity.</summary>
    internal sealed class ManifestPart
    {
        public string Key { get; set; }
        public long Items { get; set; }
        /// <summary>Uncompressed bytes (what ImportTable bills).</summary>
        public long Bytes { get; set; }
        /// <summary>Bytes of the gzipped object in S3.</summary>
        public long StagedBytes { get; set; }
    }

    /// <summary>One entity of an import run: its source, how far staging got (checkpoint and counts at the last recorded object), its objects.</summary>
    internal sealed class ManifestEntity
    {
        public EcommerceEntity Entity { get; set; }
        public string Source { get; set; }
        public string SourceKind { get; set; }
        public string SourceLocation { get; set; }
        public string SourceFingerprint { get; set; }
        public string RejectPath { get; set; }
        /// <summary>True once every document of the source is staged or rejected.</summary>
        public bool Staged { get; set; }
        public string Checkpoint { get; set; }
        public long Written { get; set; }
        public long Rejected { get; set; }
        public string ChangeStreamStartAt { get; set; }
        public List<ManifestPart> Parts { get; set; } = new List<ManifestPart>();

        [JsonIgnore]
        public SourceIdentity Identity => SourceKind == null ? null : new SourceIdentity(SourceKind, SourceLocation, SourceFingerprint);
    }

    /// <summary>States of an import run, in order.</summary>
    internal enum ImportRunState { Staging, Staged, Importing, Finished, Failed }

    /// <summary>
    /// An import run's record in the staging bucket (<see cref="StagingLayout.ManifestKey"/>): the entities and their staged
    /// objects, the ImportTable job, and the lease of the process working on it. It is what a re-run resumes from before the
    /// table exists (the status items go into the table once the import has created it).
    /// </summary>
    internal sealed class ImportManifest
    {
        public int Version { get; set; } = 1;
        public string TableName { get; set; }
        public string RunId { get; set; }
        public ImportRunState State { get; set; }
        public DateTime StartedAt { get; set; }
        public long ObjectBytes { get; set; }
        public List<ManifestEntity> Entities { get; set; } = new List<ManifestEntity>();
        /// <summary>ImportTable attempts of this run (a FAILED import whose table is gone may be retried with the same objects).</summary>
        public int Attempt { get; set; }
        public string ClientToken { get; set; }
        public string ImportArn { get; set; }
        public string TableArn { get; set; }
        public string ImportStatus { get; set; }
        public string FailureMessage { get; set; }
        public string LeaseOwner { get; set; }
        public string LeaseHost { get; set; }
        public int? LeasePid { get; set; }
        public int? LeaseSeconds { get; set; }
        public DateTime? LeaseExpiresAt { get; set; }

        public bool IsLeasedByOther(string owner, DateTime now) => LeaseOwner != null && LeaseOwner != owner && LeaseExpiresAt >= now;
    }

    /// <summary>
    /// Reads and writes the manifest with S3 conditional writes: the first write only if no manifest exists (If-None-Match *),
    /// every later one only if it is still the version this process wrote (If-Match ETag). Another process's write in between
    /// makes the next write fail (<see cref="ManifestConflict"/>): two runs can never both believe they own a run.
    /// </summary>
    internal sealed class ImportManifestStore
    {
        private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        };

        private readonly IAmazonS3 s3;
        private readonly string bucket;
        private readonly string key;
        private string etag;

        public ImportManifestStore(IAmazonS3 s3, string bucket, string tableName)
        {
            this.s3 = s3;
            this.bucket = bucket;
            key = StagingLayout.ManifestKey(tableName);
        }

        public string Location => $"s3://{bucket}/{key}";

        public async Task<ImportManifest> ReadAsync(CancellationToken cancellation)
        {
            try
            {
                using GetObjectResponse response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellation).ConfigureAwait(false);
                etag = response.ETag;
                using var reader = new StreamReader(response.ResponseStream);
                string text = await reader.ReadToEndAsync(cancellation).ConfigureAwait(false);
                try { return JsonSerializer.Deserialize<ImportManifest>(text, Json); }
                catch (JsonException ex)
                {
                    throw EcommerceErrors.MigrationStatusInvalid(Location, $"The import manifest {Location} cannot be read ({ex.Message}).", "Run the command again with -Restart: it stages from the first document into a new run (the old objects are deleted or expire).");
                }
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey" || ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                etag = null;
                return null;
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, Location, "GetObject");
            }
        }

        /// <summary>Writes the manifest if nobody else has since this process last read or wrote it; ManifestConflictException otherwise.</summary>
        public async Task SaveAsync(ImportManifest manifest, CancellationToken cancellation)
        {
            byte[] body = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(body),
                ContentType = "application/json",
            };
            if (etag == null) request.IfNoneMatch = "*";
            else request.IfMatch = etag;
            try
            {
                PutObjectResponse response = await s3.PutObjectAsync(request, cancellation).ConfigureAwait(false);
                etag = response.ETag;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "PreconditionFailed" or "ConditionalRequestConflict" || (int)ex.StatusCode == 412)
            {
                throw new ManifestConflict();
            }
            catch (AmazonS3Exception ex)
            {
                throw AwsErrors.From(ex, Location, "PutObject");
            }
        }
    }

    /// <summary>The manifest was written by another process since this one read or wrote it.</summary>
    internal sealed class ManifestConflict : Exception { }
}
