using System;
using System.IO;
using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Migration.Sources
{
    /// <summary>Opens the document sources the migration reads: a MongoDB collection, a mongoexport file or a mongodump file.</summary>
    internal static class DocumentSources
    {
        /// <summary>A MongoDB collection read through MongoDB.Driver, sorted by _id. <paramref name="database"/> null: the URI's database.</summary>
        public static IDocumentSource FromMongo(string mongoUri, string database, string collection) =>
            new MongoDocumentSource(mongoUri, database, collection);

        /// <summary>
        /// A dump file: <c>.bson</c> / <c>.bson.gz</c> (mongodump) or anything else as mongoexport Extended JSON
        /// (one document per line, <c>--jsonArray</c>, or pretty-printed).
        /// </summary>
        public static IDocumentSource FromFile(string path)
        {
            string full = Path.GetFullPath(path);
            if (!File.Exists(full))
                throw EcommerceErrors.SourceFileNotFound(path, $"The source file '{full}' does not exist.");
            string name = full.ToLowerInvariant();
            if (name.EndsWith(".bson", StringComparison.Ordinal)) return new BsonDumpSource(full, gzip: false);
            if (name.EndsWith(".bson.gz", StringComparison.Ordinal)) return new BsonDumpSource(full, gzip: true);
            return new ExtendedJsonFileSource(full);
        }
    }
}
