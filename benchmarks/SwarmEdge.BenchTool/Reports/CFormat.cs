using System.Globalization;
using System.Numerics;

namespace SwarmEdge.BenchTool.Reports;

/// <summary>
/// Numbers as C's printf("%.Nf") writes them, which is what the results files have always held (they were written
/// with awk and printf): the double's exact binary value rounded to N decimals, a tie to the even digit. .NET's "F"
/// format rounds a tie away from zero instead (1234.5 gives "1235" where printf gives "1234"; a peak RSS of
/// 1263872 KiB is 1234.25 MiB, "1234.3" against printf's "1234.2").
/// </summary>
internal static class CFormat
{
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value))
        {
            return double.IsNegative(value) ? "-nan" : "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        // |value| = mantissa * 2^(exponent - 1075), exactly.
        var shift = exponent - 1075;
        var scale = BigInteger.Pow(10, decimals);
        BigInteger scaled;
        if (shift >= 0)
        {
            scaled = (new BigInteger(mantissa) << shift) * scale;
        }
        else
        {
            var denominator = BigInteger.One << -shift;
            scaled = BigInteger.DivRem(new BigInteger(mantissa) * scale, denominator, out var remainder);
            var half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !scaled.IsEven))
            {
                scaled += 1;
            }
        }

        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var text = decimals == 0 ? digits : $"{digits[..^decimals]}.{digits[^decimals..]}";
        return bits < 0 ? "-" + text : text;
    }
}
