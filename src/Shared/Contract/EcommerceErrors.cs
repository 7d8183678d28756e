using System;
using System.Management.Automation;

namespace EcommerceAws.Contract
{
    /// <summary>
    /// The errors raised in more than one place, each built here once so its ErrorId, category, message and advice
    /// read the same wherever it comes from. docs/DESIGN.md §7 is the catalogue; tests/Pester/Repository.Tests.ps1
    /// keeps every ErrorId in the catalogue and every other ErrorId constructed in one place only.
    /// </summary>
    public static class EcommerceErrors
    {
        /// <summary>A table that does not exist. <paramref name="alternative"/> adds a way out specific to the caller.</summary>
        public static EcommerceException TableNotFound(string tableName, string alternative = null) =>
            new EcommerceException("TableNotFound", ErrorCategory.ObjectNotFound, tableName,
                $"Table '{tableName}' does not exist in this account and region; nothing was read or written.",
                "Check -TableName and -Region (Get-EcommerceTable lists what exists), or create the table with New-EcommerceTable"
                + (alternative == null ? "." : ", or " + alternative + "."));

        /// <summary>A table whose keys or index are not the single table's (or not what New-EcommerceTable asked for).</summary>
        public static EcommerceException TableSchemaMismatch(string tableName, string message, string recommendedAction, ErrorCategory category) =>
            new EcommerceException("TableSchemaMismatch", category, tableName, message, recommendedAction);

        /// <summary>The AWS endpoint did not answer at the network level (refused, DNS, TLS, timeout).</summary>
        public static EcommerceException AwsEndpointUnreachable(string operation, object target, Exception inner) =>
            new EcommerceException("AwsEndpointUnreachable", ErrorCategory.ConnectionError, target,
                $"{operation} failed: the AWS endpoint could not be reached ({inner?.Message}).",
                "Check -EndpointUrl / AWS_ENDPOINT_URL (a full URL such as http://127.0.0.1:5000), the network, and the region.", inner);

        /// <summary>A write (BatchWriteItem of a migration, a sync's conditional PutItem/DeleteItem) made no progress for the stall timeout.</summary>
        public static EcommerceException MigrationStalled(string tableName, string operation, TimeSpan stallTimeout, string lastProblem, string resumeFrom) =>
            new EcommerceException("MigrationStalled", ErrorCategory.LimitsExceeded, tableName,
                $"{operation} on '{tableName}' made no progress for {stallTimeout.TotalSeconds:0} s (last: {lastProblem}).",
                $"The table is throttling hard or unreachable: raise its write capacity (or use on-demand), then run the same command again to resume from {resumeFrom}.");

        /// <summary>The user answered No to the capacity question before anything was written (a PROVISIONED table too slow for the run).</summary>
        public static EcommerceException MigrationCapacityDeclined(string tableName, string estimate) =>
            new EcommerceException("MigrationCapacityDeclined", ErrorCategory.OperationStopped, tableName,
                $"Stopped before writing anything: {estimate}",
                $"Switch '{tableName}' to on-demand or raise its write capacity, then run the same command (it starts where this one stopped); or pass -Force to write at the current capacity without being asked.");

        /// <summary>A bucket that does not exist; <paramref name="recommendedAction"/> replaces the general advice where the caller knows better.</summary>
        public static EcommerceException BucketNotFound(string bucket, string recommendedAction = null) =>
            new EcommerceException("BucketNotFound", ErrorCategory.ObjectNotFound, bucket,
                $"Bucket '{bucket}' does not exist (or is not visible to these credentials); nothing was read or written.",
                recommendedAction ?? "Check -BucketName (Get-AssetBucket lists what exists), or create the bucket with New-AssetBucket.");

        public static EcommerceException DistributionNotFound(string distributionId) =>
            new EcommerceException("DistributionNotFound", ErrorCategory.ObjectNotFound, distributionId,
                $"CloudFront distribution '{distributionId}' does not exist.",
                "Check -DistributionId, or look it up with Get-AssetCdn -BucketName <bucket>.");

        public static EcommerceException CacheClusterNotFound(string cacheClusterId) =>
            new EcommerceException("CacheClusterNotFound", ErrorCategory.ObjectNotFound, cacheClusterId,
                $"No cache cluster, replication group or serverless cache named '{cacheClusterId}' exists in this account and region.",
                "Check -CacheClusterId and -Region (Get-CacheCluster lists what exists).");

        /// <summary>A source file (or an entity's file in a -Path folder) that is not there.</summary>
        public static EcommerceException SourceFileNotFound(string path, string message) =>
            new EcommerceException("SourceFileNotFound", ErrorCategory.ObjectNotFound, path, message,
                "Check -Path: a mongoexport .json file or a mongodump .bson / .bson.gz file (or a folder of them, one per collection); "
                + "export a missing collection there, or leave its entity out with -Entity.");

        /// <summary>A -Path that is neither a file nor a folder (a mistyped dump folder): said as such, not as a missing collection file.</summary>
        public static EcommerceException SourceFolderNotFound(string fullPath, string message = null) =>
            new EcommerceException("SourceFolderNotFound", ErrorCategory.ObjectNotFound, fullPath,
                message ?? $"The folder '{fullPath}' does not exist (nor does a file of that name).",
                "Check -Path: the mongodump output folder (for example ./dump/shop, one <collection>.bson per collection) or a mongoexport folder; "
                + "Invoke-ProductMigration and the other one-entity cmdlets also take the file itself.");

        /// <summary>Input that is not a MongoDB document (Extended JSON, hashtable or object).</summary>
        public static EcommerceException InvalidDocument(object target, string message, ErrorCategory category) =>
            new EcommerceException("InvalidDocument", category, target, message,
                "Pass a hashtable, an object, or one JSON document such as mongoexport writes.");

        /// <summary>A -RedisUrl that is not redis://host:port[/db] or rediss://… (the URL is masked by the caller).</summary>
        public static EcommerceException InvalidRedisUrl(string maskedUrl, string message, string recommendedAction, ErrorCategory category) =>
            new EcommerceException("InvalidRedisUrl", category, maskedUrl, message, recommendedAction);

        // Migration errors raised by both the write path (Pipeline) and the import path (Import): one ErrorId each, the
        // situation-specific message and advice from the caller.

        public static EcommerceException MigrationAlreadyRunning(string tableName, string message, string recommendedAction) =>
            new EcommerceException("MigrationAlreadyRunning", ErrorCategory.ResourceBusy, tableName, message, recommendedAction);

        public static EcommerceException MigrationSourceChanged(object source, string message, string recommendedAction) =>
            new EcommerceException("MigrationSourceChanged", ErrorCategory.InvalidOperation, source, message, recommendedAction);

        public static EcommerceException MigrationStatusInvalid(object target, string message, string recommendedAction) =>
            new EcommerceException("MigrationStatusInvalid", ErrorCategory.InvalidData, target, message, recommendedAction);

        public static EcommerceException MigrationLeaseLost(string tableName, string message, string recommendedAction, ErrorCategory category) =>
            new EcommerceException("MigrationLeaseLost", category, tableName, message, recommendedAction);

        public static EcommerceException MigrationImportTableExists(string tableName, string message, string recommendedAction) =>
            new EcommerceException("MigrationImportTableExists", ErrorCategory.ResourceExists, tableName, message, recommendedAction);
    }
}
