using System;
using System.Globalization;
using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Engine.Migration.Pipeline
{
    /// <summary>
    /// Who holds a status item while a run writes: a random token per run (so two runs in one process differ), with the
    /// host and PID only for the message a second run gets. The lease lasts <see cref="Duration"/> and is renewed with
    /// every status update, so a killed process frees it after at most that long.
    /// </summary>
    internal sealed class MigrationLease
    {
        public const string SecondsVariable = "ECOM_MIGRATION_LEASE_SECONDS";
        private static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(60);

        public MigrationLease(TimeSpan duration)
        {
            Duration = duration;
        }

        public string Owner { get; } = Guid.NewGuid().ToString("N");
        public string Host { get; } = Environment.MachineName;
        public int Pid { get; } = Environment.ProcessId;
        public TimeSpan Duration { get; }

        private long renewedAt; // Stopwatch timestamp at which the request that last took or renewed the lease was sent; 0: never

        /// <summary>Records a take-over or renewal DynamoDB accepted, timed from when its request was sent (the safe side).</summary>
        public void Renewed(long sentAt)
        {
            long seen;
            do { seen = System.Threading.Interlocked.Read(ref renewedAt); }
            while (sentAt > seen && System.Threading.Interlocked.CompareExchange(ref renewedAt, sentAt, seen) != seen);
        }

        /// <summary>
        /// True while this process holds the lease with at least a third of its duration left, by its own clock. A sync writes
        /// without conditions only then (docs/DESIGN.md §5): once the lease may have passed to another run, only conditional writes.
        /// </summary>
        public bool HeldWithMargin
        {
            get
            {
                long at = System.Threading.Interlocked.Read(ref renewedAt);
                return at != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(at) < Duration - TimeSpan.FromTicks(Duration.Ticks / 3);
            }
        }

        /// <summary>Renew well before expiry: three chances per lease, at most every 3 s.</summary>
        public TimeSpan RenewEvery => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(3).Ticks, Duration.Ticks / 3));

        /// <summary>60 s, or ECOM_MIGRATION_LEASE_SECONDS (whole seconds, 1..3600) for tests.</summary>
        public static MigrationLease FromEnvironment()
        {
            string text = Environment.GetEnvironmentVariable(SecondsVariable);
            return new MigrationLease(int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= 3600
                ? TimeSpan.FromSeconds(seconds) : DefaultDuration);
        }

        /// <summary>The error a second run (or Remove-MigrationStatus) gets while another run holds the lease.</summary>
        public static EcommerceException AlreadyRunning(string tableName, EcommerceEntity entity, MigrationStatusRecord holder, string whatWasRefused)
        {
            DateTime expires = holder?.LeaseExpiresAt ?? DateTime.UtcNow;
            int seconds = Math.Max(0, (int)Math.Ceiling((expires - DateTime.UtcNow).TotalSeconds));
            string who = holder == null ? "another run" : $"run {holder.RunId} on host {holder.LeaseHost} (PID {holder.LeasePid})";
            return EcommerceErrors.MigrationAlreadyRunning(tableName, $"The {entity} migration to table '{tableName}' is already running: {who} holds its status item until {MigrationStatusStore.Iso(expires)} (in {seconds} s). {whatWasRefused}", $"Wait for that run to finish (Get-MigrationStatus -TableName {tableName} -Entity {entity} shows it Running). If that process is dead, "
                + $"wait until its lease expires at {MigrationStatusStore.Iso(expires)} (about {seconds} s from now; a lease lasts {FormatDuration(holder)} and is renewed only while the run is alive), then run the same command again: it resumes from the checkpoint.");
        }

        private static string FormatDuration(MigrationStatusRecord holder) =>
            holder?.LeaseSeconds is int s && s > 0 ? $"{s} s" : $"{DefaultDuration.TotalSeconds:0} s by default";
    }
}
