using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Output;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// The cmdlets that run a migration (Invoke-EcommerceMigration and Invoke-Product/User/Order/CategoryMigration): how the
    /// items reach the table (-Method) and, for Import, where they are staged.
    /// </summary>
    public abstract class MigrationRunCmdlet : MigrationCmdlet
    {
        #region Parameters

        /// <summary><para>Write (default): BatchWriteItem from this machine into a table that exists (New-EcommerceTable), resumable from the checkpoint in the status item. Import: the items are staged as gzipped DYNAMODB_JSON objects in S3 (-StagingBucket) and DynamoDB's ImportTable creates the table (GSI1, on-demand, SSE-KMS) and loads them inside AWS without consuming write capacity, billed per GB of uncompressed staged data; then deletion protection, point-in-time recovery and the ManagedBy tag are applied, as New-EcommerceTable does. Import is for a table that does not exist yet.</para></summary>
        [Parameter]
        public MigrationMethod Method { get; set; } = MigrationMethod.Write;

        /// <summary><para>-Method Import: the S3 bucket to stage the objects in, under ecommerceaws-import/&lt;table&gt;/&lt;runId&gt;/ (a lifecycle rule on ecommerceaws-import/ expires anything left after 7 days; objects are encrypted by the bucket's default encryption, or SSE-S3). Binds by property name from an EcommerceStack's BucketName, so the stack's private asset bucket is used when a stack is piped in.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("BucketName")]
        [ValidateNotNullOrEmpty]
        public string StagingBucket { get; set; }

        /// <summary><para>-Method Import: uncompressed megabytes of DYNAMODB_JSON per staged object before the next one starts. Default 128 (ImportTable reads at most 50,000 objects per import, so the default covers over 6 TB).</para></summary>
        [Parameter]
        [ValidateRange(1, 4096)]
        public int StagingObjectSizeMB { get; set; } = 128;

        /// <summary><para>-Method Import: keep the staged objects and the manifest after a successful import (they are deleted by default; the lifecycle rule still expires them after 7 days).</para></summary>
        [Parameter]
        public SwitchParameter KeepStaging { get; set; }

        #endregion

        /// <summary>StagingBucket is required for Import and checked before any AWS call.</summary>
        protected void CheckImportInput()
        {
            if (Method != MigrationMethod.Import) return;
            if (string.IsNullOrEmpty(StagingBucket))
                ThrowInputError("MigrationStagingBucketMissing", Method,
                    "-Method Import stages the items in S3 before ImportTable loads them, but no -StagingBucket was given.",
                    "Pass -StagingBucket with a bucket of this account (for example the stack's asset bucket, <name>-assets), or pipe in the stack from Get-EcommerceStack.");
            CheckInput(() => AssetInputValidation.BucketName(StagingBucket));
        }

        /// <summary>Runs one import of every given entity (one new table) and writes a result per entity.</summary>
        protected void RunImport(string tableName, IReadOnlyList<ImportEntitySpec> entities, string rejectPath, string workingDirectory, bool restart)
        {
            if (entities.Count == 0) return;
            var engine = new MigrationService();
            string what = string.Join(", ", entities.Select(e => $"{e.Entity} from {engine.DescribeSource(e.Entity, e.Source)}"));
            bool go = ShouldProcess($"table {tableName} (new)", $"Import {what} through s3://{StagingBucket}/ecommerceaws-import/ with ImportTable");
            if (!go && !IsWhatIf) return;
            var spec = new ImportSpec
            {
                TableName = tableName,
                Entities = entities,
                StagingBucket = StagingBucket,
                StagingObjectBytes = StagingObjectSizeMB * 1024L * 1024L,
                KeepStaging = KeepStaging,
                RejectPath = rejectPath,
                WorkingDirectory = workingDirectory,
                Restart = restart,
                DryRun = !go,
            };
            foreach (MigrationResult result in Run(context => engine.ImportAsync(spec, context))) WriteObject(result);
        }
    }
}
