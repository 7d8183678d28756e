using System.Threading;
using System.Threading.Tasks;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Migration.Mapping;
using EcommerceAws.Engine.Migration.Sources;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// What every source document goes through before it may become an item, the same for both methods (BatchWriteItem and
    /// ImportTable): a document that does not parse is MalformedDocument; otherwise the mapper (keys, types and DynamoDB's
    /// item rules), then the duplicate-key registry and, for users, the duplicate e-mail registry. One instance per entity
    /// run, fed in source order (the first document with a key or an e-mail keeps it).
    /// </summary>
    internal sealed class DocumentScreen
    {
        private readonly EcommerceEntity entity;
        private readonly EntityMapper mapper = new EntityMapper();
        private readonly EmailRegistry emails;
        private readonly bool fromFile;

        public DocumentScreen(EcommerceEntity entity, IDocumentSource source, EmailRegistry emails)
        {
            this.entity = entity;
            this.emails = emails;
            Keys = new KeyRegistry(source.UniqueSortedIds);
            fromFile = source.Identity.Kind == SourceIdentity.FileKind;
        }

        public KeyRegistry Keys { get; }

        /// <summary>The item (Mapped, with Reject null) or why the document is rejected (Mapped null for a malformed one).</summary>
        public async Task<(MappingResult Mapped, RejectRecord Reject)> CheckAsync(SourceDocument document, CancellationToken cancellation)
        {
            if (document.Malformed != null)
                return (null, new RejectRecord(entity, null, RejectReason.MalformedDocument, null, document.Malformed));
            MappingResult mapped = mapper.Map(entity, document.Document);
            RejectRecord reject = mapped.Reject
                ?? Keys.Check(entity, document.Document["_id"], mapped.Id, fromFile);
            if (reject == null && emails != null) reject = await emails.CheckAsync(mapped, cancellation).ConfigureAwait(false);
            return (mapped, reject);
        }

        /// <summary>
        /// Before a resumed run reads past <paramref name="checkpoint"/>: the keys (and, for users without a table to ask, the
        /// e-mails) the documents up to it took, so a later document cannot take them again. Returns the documents read again.
        /// </summary>
        public async Task<long> RestoreAsync(IDocumentSource source, string checkpoint, bool replayEmails, CancellationToken cancellation)
        {
            if (checkpoint == null) return 0;
            if (!replayEmails || emails == null) return await Keys.RebuildAsync(source, checkpoint, cancellation).ConfigureAwait(false);
            // E-mails are known only from the mapped documents: replay the screen itself up to the checkpoint, in order.
            long read = 0;
            await foreach (SourceDocument document in source.ReadAsync(null, cancellation).ConfigureAwait(false))
            {
                if (SourcePositions.After(source, document.Position, checkpoint)) break;
                await CheckAsync(document, cancellation).ConfigureAwait(false);
                read++;
            }
            return read;
        }
    }
}
