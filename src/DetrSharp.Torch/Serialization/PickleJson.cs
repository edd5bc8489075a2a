using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A loaded (non-tensor) value as JSON, for <c>detrsharp inspect --json</c>: numbers, strings, bools and null as
/// themselves, non-finite floats as the strings "NaN", "Infinity", "-Infinity" (the fixtures' convention),
/// tuples, lists and sets as arrays, dicts as objects (keys as text), stand-ins, bytes and tensors as their repr.
/// </summary>
public static class PickleJson
{
    /// <summary>The JSON form of <paramref name="value"/> (nesting past 64 levels becomes its repr).</summary>
    public static JsonNode? ToJson(object? value)
    {
        int budget = MaxNodes;
        return Convert(value, 0, ref budget);
    }

    /// <summary>The most JSON nodes one value becomes (shared sub-lists could otherwise multiply).</summary>
    public const int MaxNodes = 100_000;

    static JsonNode? Convert(object? v, int depth, ref int budget)
    {
        if (--budget < 0) return JsonValue.Create("...");
        switch (v)
        {
            case null: return null;
            case bool b: return JsonValue.Create(b);
            case long l: return JsonValue.Create(l);
            case int i: return JsonValue.Create(i);
            case BigInteger big: return JsonNode.Parse(big.ToString(CultureInfo.InvariantCulture));
            case double d: return double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            case string s: return JsonValue.Create(s);
        }
        if (depth > 64) return JsonValue.Create(PickleFormat.Repr(v));
        switch (v)
        {
            case object?[] t: return Array(t, depth, ref budget);
            case List<object?> l: return Array(l, depth, ref budget);
            case PickleDict d:
            {
                var o = new JsonObject();
                foreach (var kv in d)
                    o[kv.Key as string ?? PickleFormat.Repr(kv.Key)] = Convert(kv.Value, depth + 1, ref budget);
                return o;
            }
            case Tensor t: return JsonValue.Create($"tensor({t.dtype.Name()}, [{string.Join(", ", t.shape)}])");
            default: return JsonValue.Create(PickleFormat.Repr(v));
        }
    }

    static JsonArray Array(IEnumerable<object?> items, int depth, ref int budget)
    {
        var a = new JsonArray();
        foreach (var x in items)
        {
            a.Add(Convert(x, depth + 1, ref budget));
            if (budget < 0) break;
        }
        return a;
    }
}
