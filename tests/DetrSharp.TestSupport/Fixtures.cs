using System.Collections.Concurrent;
using System.Text.Json;

namespace DetrSharp.TestSupport;

/// <summary>One reference case: a JSON file of the shared fixture format (tests/fixtures/FORMAT.md).</summary>
public sealed class Fixture
{
    public required string Name { get; init; }
    public required string Path { get; init; }
    public required JsonElement Root { get; init; }
    public string Kind => Root.GetProperty("kind").GetString()!;
    public JsonElement Inputs => Root.GetProperty("inputs");
    public JsonElement Expected => Root.GetProperty("expected");
    public JsonElement Params => Root.TryGetProperty("params", out var p) ? p : default;
    public double Atol => Tol("atol", 0);
    public double Rtol => Tol("rtol", 0);

    public double Tol(string key, double fallback)
    {
        if (Root.TryGetProperty("tolerance", out var t) && t.ValueKind == JsonValueKind.Object && t.TryGetProperty(key, out var v)
            && v.ValueKind == JsonValueKind.Number)
            return v.GetDouble();
        return fallback;
    }

    public override string ToString() => Name;
}

/// <summary>
/// The data-driven harness of DESIGN.md: every fixture of a kind under tests/fixtures/&lt;folder&gt;,
/// plus the same folder under $DETRSHARP_EXTRA_FIXTURES when it is set.
/// Each folder is read and parsed once per process (the first time a test asks for it); the parsed documents live
/// until the process exits and are disposed then, so every <see cref="Fixture.Root"/> handed out stays valid.
/// </summary>
public static class Fixtures
{
    public static readonly JsonDocumentOptions DocOptions = new() { AllowTrailingCommas = true, MaxDepth = 256 };

    static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The parsed fixtures of each folder path, all kinds, sorted by file name.</summary>
    static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<Fixture>>> Parsed = new(StringComparer.Ordinal);

    /// <summary>Every document parsed so far, disposed when the process exits.</summary>
    static readonly ConcurrentBag<JsonDocument> Documents = [];

    static Fixtures() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();

    /// <summary>The repository's tests/fixtures folder, found by walking up from the test binaries.</summary>
    public static string Root => RootPath.Value;

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException("tests/fixtures not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The folder named by $DETRSHARP_EXTRA_FIXTURES, or null when it is not set.</summary>
    public static string? ExtraRoot
    {
        get
        {
            var extra = Environment.GetEnvironmentVariable("DETRSHARP_EXTRA_FIXTURES");
            return string.IsNullOrWhiteSpace(extra) ? null : extra;
        }
    }

    /// <summary>Folders searched for a sub-folder: the project's own, then the extra one if named.</summary>
    public static IEnumerable<string> Folders(string folder)
    {
        yield return System.IO.Path.Combine(Root, folder);
        if (ExtraRoot is { } extra)
        {
            var e = System.IO.Path.Combine(extra, folder);
            if (Directory.Exists(e)) yield return e;
        }
    }

    /// <summary>Every file of the given kind (all kinds when null) under the folder, sorted by name.</summary>
    public static IReadOnlyList<Fixture> Load(string folder, string? kind = null)
    {
        var list = new List<Fixture>();
        foreach (var dir in Folders(folder))
            foreach (var f in Parse(dir, folder))
                if (kind == null || f.Kind == kind) list.Add(f);
        return list;
    }

    /// <summary>xunit MemberData rows: one row per fixture name.</summary>
    public static IEnumerable<object[]> Names(string folder, string? kind = null)
        => Load(folder, kind).Select(f => new object[] { f.Name });

    /// <summary>The fixture with this name (as given by <see cref="Names"/>).</summary>
    public static Fixture Get(string folder, string name, string? kind = null)
        => Load(folder, kind).Single(f => f.Name == name);

    /// <summary>The fixtures (JSON objects with a "kind") directly in <paramref name="dir"/>, parsed on first use.</summary>
    static IReadOnlyList<Fixture> Parse(string dir, string folder)
        => Parsed.GetOrAdd(System.IO.Path.GetFullPath(dir), d => new Lazy<IReadOnlyList<Fixture>>(() => ParseFolder(d, folder))).Value;

    static IReadOnlyList<Fixture> ParseFolder(string dir, string folder)
    {
        var list = new List<Fixture>();
        if (!Directory.Exists(dir)) return list;
        var prefix = dir.StartsWith(System.IO.Path.GetFullPath(Root), StringComparison.Ordinal) ? "" : "extra:";
        foreach (var file in Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            JsonDocument doc;
            using (var stream = File.OpenRead(file)) doc = JsonDocument.Parse(stream, DocOptions);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("kind", out var k)
                || k.ValueKind != JsonValueKind.String)
            {
                doc.Dispose();
                continue;
            }
            Documents.Add(doc);
            list.Add(new Fixture { Name = prefix + folder + "/" + System.IO.Path.GetFileName(file), Path = file, Root = doc.RootElement });
        }
        return list;
    }

    static void DisposeAll()
    {
        while (Documents.TryTake(out var doc)) doc.Dispose();
    }
}
