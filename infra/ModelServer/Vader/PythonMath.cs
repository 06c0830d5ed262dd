using System.Numerics;

namespace Serverless.ModelServer.Vader;

/// <summary>Python's numeric behaviour where VADER's reported numbers depend on it.</summary>
public static class PythonMath
{
    private static readonly double[] PowersOfTen = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// Python's round(x, digits): the exact binary value rounded to <paramref name="digits"/> decimals, ties to even,
    /// then the nearest double. (Math.Round scales first, which can misround values within an ulp of a tie.)
    /// </summary>
    public static double Round(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(digits, PowersOfTen.Length);
        if (!double.IsFinite(value) || value == 0)
        {
            return value;
        }
        var power = PowersOfTen[digits];
        var scaled = value * power;
        if (Math.Abs(scaled) >= 1e15)
        {
            return value; // no fractional digits at this magnitude
        }
        var floor = Math.Floor(scaled);
        var fraction = scaled - floor;
        if (Math.Abs(fraction - 0.5) > 1e-6)
        {
            return Math.Round(scaled, MidpointRounding.ToEven) / power; // far from a tie: the scaled value decides
        }
        return ExactRound(value, digits) / power;
    }

    // value × 10^digits rounded half-to-even from the exact binary value, as an integer-valued double.
    private static double ExactRound(double value, int digits)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1; // subnormal
        }
        else
        {
            mantissa |= 1L << 52;
        }
        exponent -= 1075; // value = mantissa × 2^exponent
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, digits);
        BigInteger quotient;
        if (exponent >= 0)
        {
            quotient = numerator << exponent;
        }
        else
        {
            var denominator = BigInteger.One << -exponent;
            quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            var twice = remainder * 2;
            if (twice > denominator || (twice == denominator && !quotient.IsEven))
            {
                quotient += 1;
            }
        }
        var result = (double)quotient;
        return negative ? -result : result;
    }
}
