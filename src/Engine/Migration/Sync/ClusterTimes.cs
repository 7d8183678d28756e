using System;
using System.Globalization;
using MongoDB.Bson;

namespace EcommerceAws.Engine.Migration.Sync
{
    /// <summary>
    /// MongoDB cluster times (BSON Timestamps: seconds and an increment within the second) as a sync keeps them: the item
    /// version (one 64-bit number, seconds × 2^32 + increment, so later changes compare greater), the status item's text
    /// form "seconds:increment", and a UTC time for people.
    /// </summary>
    internal static class ClusterTimes
    {
        /// <summary>Unsigned, as MongoDB's seconds are (a signed 64-bit value would turn negative in 2038).</summary>
        public static ulong Version(BsonTimestamp time) => ((ulong)(uint)time.Timestamp << 32) | (uint)time.Increment;

        public static string VersionText(BsonTimestamp time) => Version(time).ToString(CultureInfo.InvariantCulture);

        public static string Text(BsonTimestamp time) => time == null ? null : $"{time.Timestamp.ToString(CultureInfo.InvariantCulture)}:{time.Increment.ToString(CultureInfo.InvariantCulture)}";

        /// <summary>"seconds:increment" → the timestamp; null for null or text in another form.</summary>
        public static BsonTimestamp Parse(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            string[] parts = text.Split(':');
            return parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int increment)
                ? new BsonTimestamp(seconds, increment) : null;
        }

        public static DateTime ToUtc(BsonTimestamp time) => DateTimeOffset.FromUnixTimeSeconds((uint)time.Timestamp).UtcDateTime;

        public static DateTime? ToUtc(string text) => Parse(text) is BsonTimestamp time ? ToUtc(time) : null;

        public static int Compare(BsonTimestamp a, BsonTimestamp b) => Version(a).CompareTo(Version(b));
    }
}
