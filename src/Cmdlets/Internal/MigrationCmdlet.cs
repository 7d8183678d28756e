using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Internal
{
    /// <summary>Shared plumbing of the migration cmdlets: source checks (before any AWS call), -WhatIf detection, masking.</summary>
    public abstract class MigrationCmdlet : AwsCmdlet
    {
        internal const string MongoSet = ParameterSets.ByMongoUri;
        internal const string PathSet = ParameterSets.ByPath;

        /// <summary>The default collection (docs/DESIGN.md §4), also the dump file's base name in a -Path folder.</summary>
        internal static string DefaultCollection(EcommerceEntity entity) => entity switch
        {
            EcommerceEntity.Category => "categories",
            EcommerceEntity.Product => "products",
            EcommerceEntity.User => "users",
            _ => "orders",
        };

        /// <summary>Checks a MongoDB URI without ever echoing it (it may hold a password).</summary>
        protected void CheckMongoUri(string uri)
        {
            if (uri == null) return;
            if (!(uri.StartsWith("mongodb://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("mongodb+srv://", StringComparison.OrdinalIgnoreCase)))
                ThrowInputError("InvalidMongoUri", "(value not shown: it may contain a password)",
                    "-MongoUri must start with mongodb:// or mongodb+srv://.",
                    "Pass a connection string such as mongodb://user:password@host:27017/shop.");
        }

        /// <summary>A full file-system path for -Path/-RejectPath, relative to the current location.</summary>
        protected string FullPath(string path) => path == null ? null : GetUnresolvedProviderPathFromPSPath(path);

        protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        /// <summary>
        /// The source of one entity: the MongoDB collection, the -Path file, or in a -Path folder the first of
        /// &lt;collection&gt;.json, .bson, .bson.gz. Null (after a non-terminating SourceFileNotFound) when a folder lacks it.
        /// </summary>
        protected MigrationSourceSpec ResolveSource(EcommerceEntity entity, string mongoUri, string database, string collection, string path, bool terminating)
        {
            if (!string.IsNullOrEmpty(mongoUri))
                return new MigrationSourceSpec { MongoUri = mongoUri, Database = database, Collection = collection };
            if (string.IsNullOrEmpty(path)) return null;
            string full = FullPath(path);
            if (Directory.Exists(full))
            {
                string name = collection ?? DefaultCollection(entity);
                string file = new[] { ".json", ".bson", ".bson.gz" }.Select(ext => Path.Combine(full, name + ext)).FirstOrDefault(File.Exists);
                if (file != null) return new MigrationSourceSpec { Path = file };
                var error = EcommerceErrors.SourceFileNotFound(full, $"The folder '{full}' has no {name}.json, {name}.bson or {name}.bson.gz for {entity}.");
                if (terminating) ThrowTerminatingError(error.ToErrorRecord());
                WriteError(error.ToErrorRecord());
                return null;
            }
            if (!File.Exists(full))
                ThrowInputError("SourceFileNotFound", full, $"'{full}' does not exist (no such file or folder).",
                    "Pass a mongoexport .json or a mongodump .bson/.bson.gz file (or a folder for Invoke-EcommerceMigration).", ErrorCategory.ObjectNotFound);
            return new MigrationSourceSpec { Path = full };
        }
    }
}
