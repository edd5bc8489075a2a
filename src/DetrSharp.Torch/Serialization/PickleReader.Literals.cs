using System.Globalization;
using System.Numerics;
using System.Text;

namespace DetrSharp.Torch.Serialization;

// The text forms of protocol 0: integer, float and memo-key literals, raw-unicode-escape and Python string literals.
public partial class PickleReader
{
    object ParseInt(string s)
    {
        s = s.Trim();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        if (BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b)) return b;
        throw Error($"bad integer literal '{Clip(s)}'");
    }

    double ParseFloat(string s) => s.Trim() switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        var t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw Error($"bad float literal '{Clip(t)}'"),
    };

    long ParseMemoKey(string s)
        => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long k) ? k : throw Error($"bad memo key '{Clip(s)}'");

    static string Clip(string s) => s.Length > 40 ? s[..40] + "..." : s;

    string RawUnicodeEscape(string line)
    {
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && (line[i + 1] == 'u' || line[i + 1] == 'U'))
            {
                int digits = line[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits <= line.Length
                    && int.TryParse(line.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp)
                    && cp >= 0 && cp <= 0x10FFFF)
                {
                    if (cp >= 0xD800 && cp <= 0xDFFF) sb.Append((char)cp);
                    else sb.Append(char.ConvertFromUtf32(cp));
                    i += 1 + digits;
                    continue;
                }
            }
            sb.Append(line[i]);
        }
        // The line's bytes were read as Latin-1; raw-unicode-escape stores other characters as Latin-1 too.
        return sb.ToString();
    }

    string PythonStringLiteral(string line)
    {
        if (line.Length < 2 || line[0] != line[^1] || (line[0] != '\'' && line[0] != '"'))
            throw Error("STRING argument is not a quoted string");
        var s = line.AsSpan(1, line.Length - 2);
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            char e = s[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': case '\'': case '"': sb.Append(e); break;
                case 'x' when i + 2 < s.Length && int.TryParse(s.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int hx):
                    sb.Append((char)hx);
                    i += 2;
                    break;
                case >= '0' and <= '7':
                {
                    int v = 0, k = 0;
                    while (k < 3 && i < s.Length && s[i] >= '0' && s[i] <= '7') { v = v * 8 + (s[i] - '0'); i++; k++; }
                    i--;
                    sb.Append((char)(v & 0xFF));
                    break;
                }
                default: sb.Append('\\').Append(e); break;
            }
        }
        return sb.ToString();
    }
}
