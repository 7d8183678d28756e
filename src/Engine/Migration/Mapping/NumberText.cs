using System;
using System.Globalization;
using System.Text;

namespace EcommerceAws.Engine.Migration.Mapping
{
    /// <summary>
    /// Turns a number's decimal text (Int64, double round-trip text, Decimal128 text) into the plain decimal
    /// text DynamoDB stores, or says why it cannot be a DynamoDB number.
    /// </summary>
    internal static class NumberText
    {
        /// <summary>docs/DESIGN.md §4: a number needing more than 38 digits is rejected (DynamoDB keeps 38 digits of precision).</summary>
        public const int MaxDigits = 38;
        /// <summary>DynamoDB's smallest positive magnitude is 1E-130.</summary>
        public const int MinExponent = -130;

        /// <summary>Plain text (no exponent, no trailing fraction zeros, "-" only when negative), or null with a reason.</summary>
        public static string Normalize(string text, out string problem)
        {
            problem = null;
            if (string.IsNullOrEmpty(text)) { problem = "is empty"; return null; }
            string t = text.Trim();
            if (t.IndexOf("NaN", StringComparison.OrdinalIgnoreCase) >= 0) { problem = "is NaN"; return null; }
            if (t.IndexOf("Inf", StringComparison.OrdinalIgnoreCase) >= 0) { problem = "is infinite"; return null; }

            bool negative = false;
            int i = 0;
            if (t[i] == '-' || t[i] == '+') { negative = t[i] == '-'; i++; }
            var digits = new StringBuilder();
            int pointPosition = -1;
            int exponent = 0;
            for (; i < t.Length; i++)
            {
                char c = t[i];
                if (c >= '0' && c <= '9') digits.Append(c);
                else if (c == '.' && pointPosition < 0) pointPosition = digits.Length;
                else if (c == 'e' || c == 'E')
                {
                    if (!int.TryParse(t.AsSpan(i + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
                    { problem = "is not a decimal number"; return null; }
                    break;
                }
                else { problem = "is not a decimal number"; return null; }
            }
            if (digits.Length == 0) { problem = "is not a decimal number"; return null; }
            if (pointPosition < 0) pointPosition = digits.Length;

            // value = 0.digits... scaled: integer part has (pointPosition + exponent) digits.
            string all = digits.ToString();
            int firstNonZero = all.IndexOfAny("123456789".ToCharArray());
            if (firstNonZero < 0) return "0";
            int lastNonZero = all.LastIndexOfAny("123456789".ToCharArray());
            int integerDigits = pointPosition + exponent;            // digits before the point, counted from all[0]
            string significant = all.Substring(firstNonZero, lastNonZero - firstNonZero + 1);
            int pointAfterSignificant = integerDigits - firstNonZero; // where the point falls inside 'significant'

            // Digits the plain text needs from the first significant digit: trailing integer zeros count too.
            int neededDigits = Math.Max(significant.Length, pointAfterSignificant);
            if (neededDigits > MaxDigits)
            {
                problem = $"needs {neededDigits} digits (DynamoDB numbers hold at most {MaxDigits})";
                return null;
            }
            if (pointAfterSignificant - 1 < MinExponent)
            {
                problem = "is smaller in magnitude than DynamoDB's 1E-130";
                return null;
            }

            var plain = new StringBuilder();
            if (negative) plain.Append('-');
            if (pointAfterSignificant <= 0)
            {
                plain.Append("0.").Append('0', -pointAfterSignificant).Append(significant);
            }
            else if (pointAfterSignificant >= significant.Length)
            {
                plain.Append(significant).Append('0', pointAfterSignificant - significant.Length);
            }
            else
            {
                plain.Append(significant, 0, pointAfterSignificant).Append('.').Append(significant, pointAfterSignificant, significant.Length - pointAfterSignificant);
            }
            return plain.ToString();
        }

        /// <summary>Significant digits of a normalized number (for DynamoDB's size formula).</summary>
        public static int SignificantDigits(string normalized)
        {
            int count = 0, trailingZeros = 0;
            bool started = false;
            foreach (char c in normalized)
            {
                if (c < '0' || c > '9') continue;
                if (!started && c == '0') continue;
                started = true;
                count++;
                trailingZeros = c == '0' ? trailingZeros + 1 : 0;
            }
            return Math.Max(1, count - trailingZeros);
        }
    }
}
