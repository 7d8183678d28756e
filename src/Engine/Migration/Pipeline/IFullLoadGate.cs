using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Amazon.DynamoDBv2.Model;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// How a sync (docs/DESIGN.md §5) runs its full load with <see cref="MigrationRun"/> beside its change stream: the run uses the
    /// sync's lease, rejects file and e-mail registry, puts the sync's fields on every status write, stamps each item with the start
    /// point's version, and writes through the gate, which leaves out the documents the change stream already owns.
    /// </summary>
    internal interface IFullLoadGate
    {
        /// <summary>The sync's lease: taken before the start point was recorded, kept after the full load (never released by the run).</summary>
        MigrationLease Lease { get; }
        /// <summary>The status item as it was when the sync took the lease.</summary>
        MigrationStatusRecord StatusBefore { get; }
        /// <summary>The run id of a full load that starts over (a resumed one keeps the status item's).</summary>
        string FreshRunId { get; }
        RejectLog Rejects { get; }
        /// <summary>The registry the change stream shares (users); null for other entities.</summary>
        EmailRegistry Emails { get; }
        int ProgressActivityId { get; }
        /// <summary>The change stream's state, shown under the full load's progress.</summary>
        string ProgressNote { get; }
        /// <summary>Adds the version attribute to a mapped item; the reject when it would then be over 400 KB, else null.</summary>
        RejectRecord Stamp(MappingResult mapped);
        /// <summary>Puts the sync's fields on a status record about to be written.</summary>
        void OnSave(MigrationStatusRecord record);
        /// <summary>
        /// Writes a batch: items whose document the change stream already changed are left to it (counted as written), the others
        /// are written with <paramref name="writer"/> on a clean full load, or conditionally (never over a newer version) on a resumed one.
        /// </summary>
        Task<BatchWriter.Outcome> WriteAsync(List<WriteRequest> requests, List<string> ids, BatchWriter writer, CancellationToken cancellation);
    }
}
