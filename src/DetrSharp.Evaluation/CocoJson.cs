using System.Text.Json;

namespace DetrSharp.Evaluation;

/// <summary>Reading COCO JSON: files into documents and fields into values, with errors that name the record.</summary>
internal static class CocoJson
{
    static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>Parses a whole file; a missing file or malformed JSON raises an exception naming the path.</summary>
    public static JsonDocument ParseFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} file not found: {path}", path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CocoDataException(path, null, $"cannot read the {what} file: {e.Message}", e);
        }
        return ParseBytes(bytes, path);
    }

    /// <summary>Parses UTF-8 JSON; malformed JSON raises an exception naming the input, line and byte.</summary>
    public static JsonDocument ParseBytes(ReadOnlyMemory<byte> utf8, string input)
    {
        try { return JsonDocument.Parse(utf8, Options); }
        catch (JsonException) when (PythonFloats.Quote(utf8.Span) is { } quoted)
        {
            // Python's json writes NaN, Infinity and -Infinity as bare words; JSON has no such numbers
            return ParseBytes(quoted, input);
        }
        catch (JsonException e)
        {
            throw new CocoDataException(input, null,
                $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {e.Message}", e);
        }
    }

    /// <summary>Names a record for messages: <c>annotations[3]</c>, plus its id when it has a readable one.</summary>
    public static string RecordName(string list, int index, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
            return $"{list}[{index}] (id {id.GetRawText()})";
        return $"{list}[{index}]";
    }

    /// <summary>The record must be a JSON object.</summary>
    public static void RequireObject(JsonElement e, string input, string record)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new CocoDataException(input, record, $"expected a JSON object, found {Describe(e)}");
    }

    /// <summary>A required integral id field (JSON numbers such as 7 or 7.0).</summary>
    public static long Id(JsonElement obj, string field, string input, string record)
    {
        if (!obj.TryGetProperty(field, out var v))
            throw new CocoDataException(input, record, $"missing '{field}'");
        return IdValue(v, field, input, record);
    }

    /// <summary>An integral id value.</summary>
    public static long IdValue(JsonElement v, string field, string input, string record)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            if (v.TryGetInt64(out long l)) return l;
            double d = v.GetDouble();
            if (d == Math.Floor(d) && Math.Abs(d) < 9.2e18) return (long)d;
        }
        throw new CocoDataException(input, record, $"'{field}' must be an integer id, found {Describe(v)}");
    }

    /// <summary>A required number field.</summary>
    public static double Number(JsonElement obj, string field, string input, string record)
    {
        if (!obj.TryGetProperty(field, out var v))
            throw new CocoDataException(input, record, $"missing '{field}'");
        if (!TryNumber(v, out double d))
            throw new CocoDataException(input, record, $"'{field}' must be a number, found {Describe(v)}");
        return d;
    }

    /// <summary>A JSON number, or NaN, Infinity or -Infinity as Python's json writes them (quoted by <see cref="PythonFloats"/>).</summary>
    static bool TryNumber(JsonElement v, out double value)
    {
        if (v.ValueKind == JsonValueKind.Number) { value = v.GetDouble(); return true; }
        value = v.ValueKind != JsonValueKind.String ? 0 : v.GetString() switch
        {
            PythonFloats.NaN => double.NaN,
            PythonFloats.Infinity => double.PositiveInfinity,
            PythonFloats.NegativeInfinity => double.NegativeInfinity,
            _ => 0,
        };
        return v.ValueKind == JsonValueKind.String && (double.IsNaN(value) || double.IsInfinity(value));
    }

    /// <summary>An optional flag field given as a number or bool (nonzero is true); absent is false.</summary>
    public static bool Flag(JsonElement obj, string field, string input, string record)
    {
        if (!obj.TryGetProperty(field, out var v)) return false;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.Number => v.GetDouble() != 0,
            _ => throw new CocoDataException(input, record, $"'{field}' must be 0/1 or a bool, found {Describe(v)}"),
        };
    }

    /// <summary>A required <c>bbox</c> field: an array of four numbers.</summary>
    public static CocoBox Box(JsonElement obj, string input, string record)
    {
        if (!obj.TryGetProperty("bbox", out var v))
            throw new CocoDataException(input, record, "missing 'bbox'");
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 4)
            throw new CocoDataException(input, record, $"'bbox' must be an array of 4 numbers [x, y, w, h], found {Describe(v)}");
        Span<double> b = stackalloc double[4];
        int i = 0;
        foreach (var x in v.EnumerateArray())
        {
            if (!TryNumber(x, out b[i++]))
                throw new CocoDataException(input, record, $"'bbox' must be an array of 4 numbers [x, y, w, h], found {Describe(v)}");
        }
        return new CocoBox(b[0], b[1], b[2], b[3]);
    }

    /// <summary>An optional string field.</summary>
    public static string? String(JsonElement obj, string field)
        => obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>An optional integer field, 0 when absent or not an integer.</summary>
    public static int Int(JsonElement obj, string field)
        => obj.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : 0;

    /// <summary>A short description of a JSON value for error messages.</summary>
    public static string Describe(JsonElement v)
    {
        string raw = v.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => $"an array of {v.GetArrayLength()} values",
            JsonValueKind.String => $"the string \"{v.GetString()}\"",
            JsonValueKind.Undefined => "nothing",
            _ => v.GetRawText(),
        };
        return raw.Length > 80 ? raw[..80] + "..." : raw;
    }
}
