using System;
using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Migration;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Copies MongoDB to the single table while the shop keeps selling: a full load, then every change from MongoDB's change stream, until -Drain catches up for the cut-over.</summary>
    /// <remarks>
    /// <para>For each entity (in parallel) it records a start point (the source's cluster time) before it reads anything, runs the full load exactly as Invoke-EcommerceMigration does (or resumes it, or skips it when a completed full load with a recorded start point exists), and applies every change from that start point with the same mapping and reject rules: insert, update and replace write the document's current state (a category, nameEn, e-mail or userId change moves the GSI1 keys with it); delete removes the item. The change stream is applied while the full load runs.</para>
    /// <para>Order and replays are safe: every item carries the change's cluster time (_syncVersion) and every write that could meet a newer version is conditional on the stored version not being newer, so a replayed or late change never overwrites a newer one; events of one _id are applied in order by one worker, different _ids in parallel. When changes wait (a burst, -Drain), those of one _id are folded into the newest, and changes newer than anything another run can have written (after the point where this run took its lease) go in BatchWriteItem batches of up to 25 without conditions; users and older changes stay one conditional write each. A document deleted while the full load runs leaves a tombstone (entityType TOMBSTONE, no GSI1 keys, never shown by Get-EcommerceProduct) so a late full-load write cannot bring it back; tombstones are removed when the full load is over. A user whose new e-mail another user already holds is rejected (DuplicateEmail) and its item removed; every reject goes to the rejects file.</para>
    /// <para>It runs until Ctrl+C (the status item keeps the resume point; run the same command again to continue), until -Until, or with -Drain until it has applied every change made before the command started, then stops with Phase Drained: the last step of a cut-over once the application's writes are frozen. Get-MigrationStatus shows Phase, EventsApplied, EventsRejected, LastEventTime, LagSeconds and ResumePoint; Write-Progress shows the lag and events per second.</para>
    /// <para>Errors before anything is written: SyncNeedsMongoSource (-Path: files have no changes), SyncNeedsReplicaSet (a standalone server has no oplog; a one-node replica set is enough), SyncPrivilegeMissing (the user lacks find or changeStream), SyncHistoryLost (the oplog no longer holds the resume point: run again with -Restart, which is safe), MigrationAlreadyRunning (another sync or migration holds the entity's lease).</para>
    /// </remarks>
    /// <example>
    /// <code>$job = Start-ThreadJob { Sync-EcommerceMigration -TableName ecommerce-cameroon -MongoUri $using:env:MONGODB_URI }; Get-MigrationStatus ecommerce-cameroon | Format-Table Entity, Phase, EventsApplied, LagSeconds</code>
    /// <para>Starts the sync in the background and watches its lag while the shop keeps selling.</para>
    /// </example>
    /// <example>
    /// <code>Stop-Job $job; Sync-EcommerceMigration ecommerce-cameroon -MongoUri $env:MONGODB_URI -Drain; Test-EcommerceMigration ecommerce-cameroon -MongoUri $env:MONGODB_URI -Full</code>
    /// <para>The cut-over, once the application's writes are frozen: stop the background sync, catch up every change with -Drain, then compare every document with its item.</para>
    /// </example>
    [Cmdlet(VerbsData.Sync, "EcommerceMigration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MongoSet)]
    [OutputType(typeof(MigrationSyncResult))]
    public sealed class SyncEcommerceMigrationCommand : MigrationRunCmdlet
    {
        /// <summary><para>Entities to sync. Default: all four (Category, Product, User, Order), each with its own change stream, in parallel.</para></summary>
        [Parameter]
        public EcommerceEntity[] Entity { get; set; }

        /// <summary><para>Catch up to the source's cluster time at the moment the command started, then stop (Phase Drained). Use it once the application's writes are frozen, before Test-EcommerceMigration -Full and the switch.</para></summary>
        [Parameter]
        public SwitchParameter Drain { get; set; }

        /// <summary><para>Stop streaming at this time (local time unless it says otherwise). The full load, when one runs, always finishes first.</para></summary>
        [Parameter]
        public DateTime? Until { get; set; }

        protected override void ProcessRecord()
        {
            CheckInput(() => InputValidation.TableName(TableName));
            CheckMongoUri(MongoUri);
            if (Path != null)
                ThrowInputError("SyncNeedsMongoSource", FullPath(Path),
                    "Sync-EcommerceMigration follows MongoDB's change streams; a dump file or folder (-Path) has no changes to follow. Nothing was read or written.",
                    "Pass -MongoUri (a replica set; a one-node set is enough), or migrate the dump once with Invoke-EcommerceMigration -Path.");
            EcommerceEntity[] entities = (Entity == null || Entity.Length == 0 ? Enum.GetValues<EcommerceEntity>() : Entity).Distinct().OrderBy(e => e).ToArray();
            var engine = new MigrationService();
            string described = EcommerceAws.Engine.Secrets.MaskUrl(MongoUri);
            bool go = ShouldProcess($"table {TableName}", $"Sync {string.Join(", ", entities)} from {described} ({(Drain ? "until caught up" : Until != null ? $"until {Until:u}" : "until Ctrl+C")})");
            if (!go && !IsWhatIf) return;
            var spec = new SyncSpec
            {
                Entities = entities,
                TableName = TableName,
                Source = new MigrationSourceSpec { MongoUri = MongoUri, Database = Database },
                MaxConcurrency = MaxConcurrency,
                RejectFolder = RejectPath != null ? FullPath(RejectPath) : null,
                WorkingDirectory = WorkingDirectory,
                Restart = Restart,
                Drain = Drain,
                Until = Until?.ToUniversalTime(),
                DryRun = !go,
            };
            foreach (MigrationSyncResult result in Run(context => engine.SyncAsync(spec, context))) WriteObject(result);
        }
    }
}
