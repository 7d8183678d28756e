using System;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Writes the stack's environment variables into a .env file, updating those keys and leaving every other line untouched.</summary>
    /// <remarks>
    /// <para>Keys already in the file are updated in place (comments, order and other variables such as MONGODB_URI are kept); missing keys are appended; a missing file is created, but not a missing folder (EnvFileFolderNotFound: a mistyped path should not leave a new folder behind). A folder the current user cannot write to is EnvFileNotWritable. Variables without a value (for example REDIS_URL before the cache endpoint is known) are not written, with a warning.</para>
    /// <para>AWS secret keys are never written: the command only writes AWS_REGION, DYNAMODB_TABLE, S3_BUCKET_NAME, CLOUDFRONT_URL and REDIS_URL. The file is written as UTF-8 without BOM, atomically (a temporary file then a rename).</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack ecommerce-cameroon | Get-EcommerceEnvironment | Export-EcommerceEnvFile -Path ./.env</code>
    /// <para>Updates the five variables in the app's .env.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceEnvironment -Name ecommerce-cameroon | Export-EcommerceEnvFile -Path /srv/shop/.env -WhatIf</code>
    /// <para>Shows which keys would be added or updated, changing nothing.</para>
    /// </example>
    [Cmdlet(VerbsData.Export, "EcommerceEnvFile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(EnvFileResult))]
    public sealed class ExportEcommerceEnvFileCommand : EcommerceCmdlet
    {
        /// <summary><para>Path of the .env file.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary><para>The variables, from Get-EcommerceEnvironment.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public EcommerceEnvironment InputObject { get; set; }

        protected override void ProcessRecord()
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            string folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder) && !System.IO.Directory.Exists(folder))
                ThrowInputError("EnvFileFolderNotFound", path, $"The folder '{folder}' does not exist; nothing was written.",
                    $"Check -Path, or create the folder first: New-Item -ItemType Directory -Path '{folder}'.", ErrorCategory.ObjectNotFound);
            var values = InputObject.Variables().Where(v => v.Value.Length > 0).ToList();
            foreach (var missing in InputObject.Variables().Where(v => v.Value.Length == 0))
                WriteWarning($"{missing.Key} has no value and was not written.");
            EnvFilePlan plan = EnvFile.Plan(path, values);
            string summary = $"add {Describe(plan.Added)}; update {Describe(plan.Updated)}";
            if (!ShouldProcess(path, "Write .env variables: " + summary)) return;
            try
            {
                EnvFile.Write(plan);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is System.IO.IOException)
            {
                // The write goes through a temporary file next to the target: name the target and the folder, not that file.
                ThrowTerminatingError(new EcommerceException("EnvFileNotWritable", ErrorCategory.PermissionDenied, path,
                    $"Cannot write '{path}': the folder '{folder}' is not writable by this user; nothing was changed.",
                    $"Run as a user who can write to '{folder}' (for example the app's owner), or write elsewhere with -Path and copy the file into place.", ex).ToErrorRecord());
            }
            WriteObject(new EnvFileResult { Path = path, Added = plan.Added, Updated = plan.Updated, Unchanged = plan.Unchanged });
        }

        private static string Describe(string[] keys) => keys.Length == 0 ? "none" : string.Join(", ", keys);
    }
}
