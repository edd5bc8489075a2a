using System.Globalization;
using System.Numerics;
using System.Text;

namespace DetrSharp.Torch.Serialization;

/// <summary>Python-style <c>repr</c> of the reader's values, for messages and <c>detrsharp inspect</c>.</summary>
public static class PickleFormat
{
    /// <summary>
    /// A short Python-like rendering: <c>None</c>, <c>True</c>, <c>3</c>, <c>0.0001</c>, <c>'text'</c>,
    /// <c>(1, 2)</c>, <c>[...]</c>, <c>{'k': v}</c>, <c>argparse.Namespace(lr=0.0001, ...)</c>. Long containers
    /// and deep nesting are cut with <c>...</c>.
    /// </summary>
    public static string Repr(object? value, int maxItems = 20, int maxDepth = 6)
    {
        var sb = new StringBuilder();
        Write(sb, value, maxItems, maxDepth, 0);
        return sb.ToString();
    }

    /// <summary>A double the way Python prints it (shortest round-trip, <c>inf</c>, <c>nan</c>, <c>1.0</c>).</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            // Python: 1e-05, 1.5e+20
            var parts = s.Split('E');
            int exp = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        return s.Contains('.') ? s : s + ".0";
    }

    static void Write(StringBuilder sb, object? v, int maxItems, int maxDepth, int depth)
    {
        if (sb.Length > 100_000) { sb.Append("..."); return; }
        switch (v)
        {
            case null: sb.Append("None"); return;
            case bool b: sb.Append(b ? "True" : "False"); return;
            case long or int or BigInteger: sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); return;
            case double d: sb.Append(Float(d)); return;
            case float f: sb.Append(Float(f)); return;
            case string s: Str(sb, s); return;
            case byte[] bytes: sb.Append($"b<{bytes.Length} bytes>"); return;
            case PickleGlobal g: sb.Append(g.FullName); return;
            case Tensor t: sb.Append(t.IsInvalid ? "tensor(disposed)" : $"tensor({t.dtype.Name()}, [{string.Join(", ", t.shape)}])"); return;
            case TensorRecord r: sb.Append($"tensor({r.DType.Name()}, [{string.Join(", ", r.Shape)}])"); return;
        }
        if (depth >= maxDepth) { sb.Append("..."); return; }
        switch (v)
        {
            case object?[] t:
                sb.Append('(');
                Items(sb, t, maxItems, maxDepth, depth);
                if (t.Length == 1) sb.Append(',');
                sb.Append(')');
                return;
            case PickleSet set:
                sb.Append(set.IsFrozen ? "frozenset({" : "{");
                Items(sb, set, maxItems, maxDepth, depth);
                sb.Append(set.IsFrozen ? "})" : "}");
                return;
            case List<object?> l:
                sb.Append('[');
                Items(sb, l, maxItems, maxDepth, depth);
                sb.Append(']');
                return;
            case PickleDict d:
            {
                sb.Append('{');
                int i = 0;
                foreach (var kv in d)
                {
                    if (i > 0) sb.Append(", ");
                    if (i++ >= maxItems) { sb.Append("..."); break; }
                    Write(sb, kv.Key, maxItems, maxDepth, depth + 1);
                    sb.Append(": ");
                    Write(sb, kv.Value, maxItems, maxDepth, depth + 1);
                }
                sb.Append('}');
                return;
            }
            case PickleObject o:
            {
                sb.Append(o.FullName).Append('(');
                var state = o.State is object?[] { Length: 2 } st && st[0] is PickleDict ? st[0] : o.State;
                if (state is PickleDict attrs && o.Args.Length == 0)
                {
                    int i = 0;
                    foreach (var kv in attrs)
                    {
                        if (i > 0) sb.Append(", ");
                        if (i++ >= maxItems) { sb.Append("..."); break; }
                        sb.Append(kv.Key is string k ? k : Repr(kv.Key)).Append('=');
                        Write(sb, kv.Value, maxItems, maxDepth, depth + 1);
                    }
                }
                else
                {
                    Items(sb, o.Args, maxItems, maxDepth, depth);
                    if (o.State is not null)
                    {
                        if (o.Args.Length > 0) sb.Append(", ");
                        sb.Append("state=");
                        Write(sb, o.State, maxItems, maxDepth, depth + 1);
                    }
                }
                sb.Append(')');
                return;
            }
            default:
                sb.Append(v.ToString());
                return;
        }
    }

    static void Items(StringBuilder sb, IEnumerable<object?> items, int maxItems, int maxDepth, int depth)
    {
        int i = 0;
        foreach (var x in items)
        {
            if (i > 0) sb.Append(", ");
            if (i++ >= maxItems) { sb.Append("..."); break; }
            Write(sb, x, maxItems, maxDepth, depth + 1);
        }
    }

    static void Str(StringBuilder sb, string s)
    {
        char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(q);
        foreach (char c in s.Length > 200 ? s[..200] : s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == q) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append($"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        if (s.Length > 200) sb.Append("...");
        sb.Append(q);
    }
}
