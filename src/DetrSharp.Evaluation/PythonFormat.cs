using System.Numerics;

namespace DetrSharp.Evaluation;

/// <summary>Python's <c>'{:0.Nf}'.format(x)</c>: the exact binary value rounded half-to-even.</summary>
internal static class PythonFormat
{
    public static string Fixed(double x, int digits)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        bool negative = double.IsNegative(x);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        int exp = (int)((bits >> 52) & 0x7FF);
        long frac = bits & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = exp == 0 ? frac : frac | (1L << 52);
        int e = exp == 0 ? -1074 : exp - 1075;              // |x| = mantissa * 2^e

        BigInteger scaled = mantissa * BigInteger.Pow(10, digits);
        BigInteger q;
        if (e >= 0) q = scaled << e;
        else
        {
            BigInteger den = BigInteger.One << -e;
            q = BigInteger.DivRem(scaled, den, out BigInteger r);
            int c = (r * 2).CompareTo(den);
            if (c > 0 || (c == 0 && !q.IsEven)) q += 1;
        }
        string s = q.ToString().PadLeft(digits + 1, '0');
        if (digits > 0) s = s[..^digits] + "." + s[^digits..];
        return negative ? "-" + s : s;
    }
}
