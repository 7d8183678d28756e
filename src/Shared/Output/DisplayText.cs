using System;
using System.Globalization;

namespace EcommerceAws.Output
{
    /// <summary>
    /// Short forms the format views (src/Cmdlets/Formats) and the messages share, so a duration, a count or a price reads
    /// the same everywhere: durations in words, counts with the right plural, money with every decimal it has.
    /// </summary>
    public static class DisplayText
    {
        /// <summary>A duration in words at the precision a person needs: "0.4 s", "42 s", "12 min 34 s", "2 h 46 min", "3 d 4 h".</summary>
        public static string Duration(TimeSpan duration)
        {
            if (duration < TimeSpan.Zero) duration = duration.Negate();
            if (duration.TotalSeconds < 10) return duration.TotalSeconds.ToString("0.0", CultureInfo.CurrentCulture) + " s";
            // Whole units from here: round once to the shown precision so 59.6 s reads "1 min", not "60 s".
            if (duration.TotalSeconds < 59.5) return $"{Math.Round(duration.TotalSeconds):0} s";
            if (duration.TotalMinutes < 59.99)
            {
                long s = (long)Math.Round(duration.TotalSeconds);
                return Pair(s / 60, "min", s % 60, "s");
            }
            if (duration.TotalHours < 23.99)
            {
                long m = (long)Math.Round(duration.TotalMinutes);
                return Pair(m / 60, "h", m % 60, "min");
            }
            long h = (long)Math.Round(duration.TotalHours);
            return Pair(h / 24, "d", h % 24, "h");
        }

        /// <summary><see cref="Duration(TimeSpan)"/> for a nullable duration; "-" when there is none.</summary>
        public static string Duration(TimeSpan? duration) => duration.HasValue ? Duration(duration.Value) : "-";

        private static string Pair(long major, string majorUnit, long minor, string minorUnit) =>
            minor == 0 ? $"{major} {majorUnit}" : $"{major} {majorUnit} {minor} {minorUnit}";

        /// <summary>"1 document", "3 documents", "2 categories": the count with thousands separators and the noun in the right number.</summary>
        public static string Count(long count, string singular, string plural = null) =>
            count.ToString("N0", CultureInfo.CurrentCulture) + " " + (count == 1 || count == -1 ? singular : plural ?? Plural(singular));

        /// <summary>The English plural of a noun the module counts (category → categories, product → products).</summary>
        public static string Plural(string noun)
        {
            if (string.IsNullOrEmpty(noun)) return noun;
            if (noun.EndsWith("y", StringComparison.Ordinal) && noun.Length > 1 && "aeiou".IndexOf(noun[noun.Length - 2]) < 0)
                return noun.Substring(0, noun.Length - 1) + "ies";
            if (noun.EndsWith("s", StringComparison.Ordinal) || noun.EndsWith("x", StringComparison.Ordinal) || noun.EndsWith("ch", StringComparison.Ordinal) || noun.EndsWith("sh", StringComparison.Ordinal))
                return noun + "es";
            return noun + "s";
        }

        /// <summary>An amount with thousands separators and every decimal it has (27,500.5 stays 27,500.5; 6500 reads 6,500), never rounded.</summary>
        public static string Money(decimal amount) => amount.ToString("#,0.############################", CultureInfo.CurrentCulture);

        /// <summary>A UTC time as "2026-03-01 10:15:30Z" (sorts and reads the same in every culture); "-" when there is none.</summary>
        public static string UtcTime(DateTime? time) =>
            time.HasValue ? time.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "-";
    }
}
