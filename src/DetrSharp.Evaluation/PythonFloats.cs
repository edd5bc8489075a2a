namespace DetrSharp.Evaluation;

/// <summary>
/// Python's json module writes the floats JSON cannot hold as the bare words NaN, Infinity and -Infinity, and
/// pycocotools reads them back. <see cref="Quote"/> turns those words (outside strings) into strings with private
/// names that <see cref="CocoJson"/>'s number readers understand, so such files load as they do in Python.
/// </summary>
internal static class PythonFloats
{
    // names no real string value in a results file would have
    public const string NaN = "\u0001NaN", Infinity = "\u0001Infinity", NegativeInfinity = "\u0001-Infinity";

    /// <summary>The JSON with the bare words quoted, or null when it holds none (the JSON error then stands).</summary>
    public static byte[]? Quote(ReadOnlySpan<byte> json)
    {
        var output = new List<byte>(json.Length + 64);
        bool inString = false, changed = false;
        for (int i = 0; i < json.Length; i++)
        {
            byte c = json[i];
            if (inString)
            {
                output.Add(c);
                if (c == (byte)'\\' && i + 1 < json.Length) output.Add(json[++i]);
                else if (c == (byte)'"') inString = false;
                continue;
            }
            if (c == (byte)'"') { inString = true; output.Add(c); continue; }
            if (Word(json, i, "NaN"u8, NaN, output) is int n1) { i += n1 - 1; changed = true; continue; }
            if (Word(json, i, "Infinity"u8, Infinity, output) is int n2) { i += n2 - 1; changed = true; continue; }
            if (Word(json, i, "-Infinity"u8, NegativeInfinity, output) is int n3) { i += n3 - 1; changed = true; continue; }
            output.Add(c);
        }
        return changed ? output.ToArray() : null;
    }

    // the length of the bare word at i (written to output as a quoted name), or null
    static int? Word(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> word, string name, List<byte> output)
    {
        if (!json[i..].StartsWith(word)) return null;
        int end = i + word.Length;
        if (end < json.Length && (char.IsAsciiLetterOrDigit((char)json[end]) || json[end] == (byte)'_')) return null;
        output.AddRange(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(name)));
        return word.Length;
    }
}
