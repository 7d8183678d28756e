using System;
using System.Globalization;
using System.Text;

namespace EcommerceAws.Engine.Items
{
    /// <summary>
    /// DynamoDB's Number rules (see <see cref="ItemRules"/> for the sources): up to 38 significant digits (leading and
    /// trailing zeros do not count), magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125, or zero.
    /// Turns decimal text (Int64, double round-trip text, Decimal128 text, an N value) into the plain decimal text
    /// DynamoDB itself returns (no exponent), or says why it cannot be a DynamoDB number, with the value.
    /// </summary>
    internal static class NumberText
    {
        /// <summary>Significant digits a DynamoDB number may have.</summary>
        public const int MaxDigits = 38;
        /// <summary>Smallest decimal exponent of a non-zero number's leading digit: 1E-130.</summary>
        public const int MinExponent = -130;
        /// <summary>Largest decimal exponent of the leading digit: 9.99…E+125 (38 digits at most, so anything with leading exponent 125 fits).</summary>
        public const int MaxExponent = 125;

        /// <summary>A number split into sign, significant digits (no leading/trailing zeros) and the decimal exponent of its first digit.</summary>
        public readonly struct Parts
        {
            public Parts(bool negative, string digits, int exponent)
            {
                Negative = negative;
                Digits = digits;
                Exponent = exponent;
            }

            public bool Negative { get; }
            /// <summary>Significant digits; "0" for zero.</summary>
            public string Digits { get; }
            /// <summary>Decimal exponent of the first significant digit (value = 0.d1d2… × 10^(Exponent+1)).</summary>
            public int Exponent { get; }
            public bool IsZero => Digits == "0";
        }

        /// <summary>Parses decimal text (optional sign, digits, optional point, optional exponent); false with a reason when it is not a decimal number.</summary>
        public static bool TryParse(string text, out Parts parts, out string problem)
        {
            parts = default;
            problem = null;
            if (string.IsNullOrEmpty(text)) { problem = "is empty"; return false; }
            string t = text;
            if (t.IndexOf("NaN", StringComparison.OrdinalIgnoreCase) >= 0) { problem = "is NaN"; return false; }
            if (t.IndexOf("Inf", StringComparison.OrdinalIgnoreCase) >= 0) { problem = "is infinite"; return false; }
            int i = 0;
            bool negative = false;
            if (t[0] == '-' || t[0] == '+') { negative = t[0] == '-'; i = 1; }
            int first = -1, last = -1, count = 0, point = -1;
            int start = i;
            for (; i < t.Length; i++)
            {
                char c = t[i];
                if (c >= '0' && c <= '9')
                {
                    if (c != '0')
                    {
                        if (first < 0) first = count;
                        last = count;
                    }
                    count++;
                }
                else if (c == '.' && point < 0) point = count;
                else if ((c == 'e' || c == 'E') && count > 0) break;
                else { problem = "is not a decimal number"; return false; }
            }
            if (count == 0) { problem = "is not a decimal number"; return false; }
            long exponent = 0;
            if (i < t.Length)
            {
                if (!long.TryParse(t.AsSpan(i + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 1_000_000_000)
                { problem = "is not a decimal number"; return false; }
            }
            if (point < 0) point = count;
            if (first < 0) { parts = new Parts(false, "0", 0); return true; }
            var digits = new StringBuilder(last - first + 1);
            int seen = 0;
            for (int j = start; j < t.Length && seen <= last; j++)
            {
                char c = t[j];
                if (c < '0' || c > '9') { if (c == '.') continue; break; }
                if (seen >= first) digits.Append(c);
                seen++;
            }
            // The first significant digit stands (point - first - 1) places left of the point, shifted by the exponent.
            long leading = point - first - 1 + exponent;
            if (leading > int.MaxValue / 2 || leading < int.MinValue / 2) { problem = "is not a decimal number"; return false; }
            parts = new Parts(negative, digits.ToString(), (int)leading);
            return true;
        }

        /// <summary>Null when <paramref name="text"/> is a number DynamoDB stores as given; else why not (with the value, unless <paramref name="showValue"/> is false).</summary>
        public static string Problem(string text, bool showValue, out Parts parts)
        {
            if (!TryParse(text, out parts, out string problem))
                return showValue ? $"{Quote(text)} {problem}" : problem;
            return RangeProblem(parts, text, showValue);
        }

        private static string RangeProblem(Parts parts, string text, bool showValue)
        {
            if (parts.IsZero) return null;
            string value = showValue ? Quote(text) + " " : "";
            if (parts.Digits.Length > MaxDigits)
                return $"{value}has {parts.Digits.Length} significant digits; DynamoDB numbers hold at most {MaxDigits}";
            if (parts.Exponent > MaxExponent)
                return $"{value}is larger in magnitude than DynamoDB's largest number, 9.9999999999999999999999999999999999999E+125 (number overflow)";
            if (parts.Exponent < MinExponent)
                return $"{value}is smaller in magnitude than DynamoDB's smallest non-zero number, 1E-130 (number underflow)";
            return null;
        }

        /// <summary>Plain text (no exponent, no superfluous zeros, "-" only when negative) for a storable number, or null with a reason.</summary>
        public static string Normalize(string text, out string problem) => Normalize(text, showValue: true, out problem);

        public static string Normalize(string text, bool showValue, out string problem)
        {
            problem = Problem(text, showValue, out Parts parts);
            return problem == null ? Plain(parts) : null;
        }

        /// <summary>The plain decimal text of parsed parts (what DynamoDB returns for the number).</summary>
        public static string Plain(Parts parts)
        {
            if (parts.IsZero) return "0";
            string d = parts.Digits;
            int integerDigits = parts.Exponent + 1; // digits before the point
            var plain = new StringBuilder(d.Length + Math.Abs(integerDigits) + 3);
            if (parts.Negative) plain.Append('-');
            if (integerDigits <= 0) plain.Append("0.").Append('0', -integerDigits).Append(d);
            else if (integerDigits >= d.Length) plain.Append(d).Append('0', integerDigits - d.Length);
            else plain.Append(d, 0, integerDigits).Append('.').Append(d, integerDigits, d.Length - integerDigits);
            return plain.ToString();
        }

        /// <summary>DynamoDB's size of a number: about 1 byte per two significant digits, plus 1.</summary>
        public static int SizeOf(Parts parts) => (parts.Digits.Length + 1) / 2 + 1;

        /// <summary>Significant digits of a number's text (for DynamoDB's size formula); 1 for text that does not parse.</summary>
        public static int SignificantDigits(string text) => TryParse(text, out Parts parts, out _) ? parts.Digits.Length : 1;

        /// <summary>Whether two number texts are the same number ("150" and "1.5E2", "1.50" and "1.5").</summary>
        public static bool SameNumber(string a, string b)
        {
            if (a == b) return true;
            if (!TryParse(a, out Parts x, out _) || !TryParse(b, out Parts y, out _)) return false;
            if (x.IsZero || y.IsZero) return x.IsZero && y.IsZero;
            return x.Negative == y.Negative && x.Exponent == y.Exponent && x.Digits == y.Digits;
        }

        private static string Quote(string text) => text.Length > 60 ? text.Substring(0, 57) + "..." : text;
    }
}
