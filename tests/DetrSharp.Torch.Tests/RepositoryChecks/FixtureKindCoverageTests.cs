using System.Text.Json;
using System.Text.RegularExpressions;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.RepositoryChecks;

/// <summary>
/// Every fixture kind has a consumer: each kind named in tests/fixtures/INDEX.json, carried by a JSON file under
/// tests/fixtures or under $DETRSHARP_EXTRA_FIXTURES (every JSON object with a "kind"), must be read by some test.
/// A kind counts as read when a test source (tests/**/*.cs) that calls Fixtures.Names, Fixtures.Load or Fixtures.Get
/// holds its name as a string literal, as in <c>Fixtures.Names("detr", "detr_matcher")</c> or
/// <c>const string Kind = "torch_state_dict"</c> next to <c>Fixtures.Load(Folder, Kind)</c>.
/// </summary>
public partial class FixtureKindCoverageTests
{
    /// <summary>
    /// DINO and YOLO kinds are pending until their issues land; the list must be empty then. A pending kind that a test
    /// now reads fails below too, so the list only shrinks.
    /// </summary>
    static readonly string[] Pending =
    [
    ];

    [GeneratedRegex(@"\bFixtures\s*\.\s*(Names|Load|Get)\s*\(")]
    private static partial Regex FixtureCall();

    [GeneratedRegex("\"([A-Za-z0-9_]+)\"")]
    private static partial Regex Literal();

    /// <summary>Kind =&gt; one place it comes from (for messages).</summary>
    static Dictionary<string, string> FixtureKinds()
    {
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = Path.Combine(Fixtures.Root, "INDEX.json");
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(index), Fixtures.DocOptions))
            foreach (var entry in doc.RootElement.EnumerateArray())
                kinds.TryAdd(entry.GetProperty("kind").GetString()!, "INDEX.json: " + entry.GetProperty("file").GetString());
        foreach (var root in new[] { Fixtures.Root, Fixtures.ExtraRoot })
        {
            if (root is null || !Directory.Exists(root)) continue;
            foreach (var file in Directory.GetFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (TopLevelKind(file) is { } kind)
                    kinds.TryAdd(kind, root == Fixtures.Root ? "tests/fixtures/" + Path.GetRelativePath(root, file) : file);
        }
        return kinds;
    }

    /// <summary>The string value of a JSON object's top-level "kind", read without building a document.</summary>
    static string? TopLevelKind(string file)
    {
        var reader = new Utf8JsonReader(File.ReadAllBytes(file), new JsonReaderOptions { AllowTrailingCommas = true, MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isKind = reader.ValueTextEquals("kind");
                reader.Read();
                if (isKind) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
        }
        catch (JsonException) { } // not JSON of the fixture format: no kind
        return null;
    }

    /// <summary>String literals of the test sources that read fixtures (this file's own list left out).</summary>
    static HashSet<string> ConsumedNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Repository.Files("tests", "*.cs"))
        {
            if (Path.GetFileName(file) == nameof(FixtureKindCoverageTests) + ".cs") continue;
            var text = File.ReadAllText(file);
            if (!FixtureCall().IsMatch(text)) continue;
            foreach (Match m in Literal().Matches(text)) names.Add(m.Groups[1].Value);
        }
        return names;
    }

    [Fact]
    public void EveryFixtureKindHasAConsumer()
    {
        var kinds = FixtureKinds();
        var consumed = ConsumedNames();
        Assert.Contains("lsa", kinds.Keys); // the scan sees the fixtures at all
        var orphans = kinds.Where(kv => !consumed.Contains(kv.Key) && !Pending.Contains(kv.Key))
            .Select(kv => $"{kv.Key} (e.g. {kv.Value})").ToList();
        Assert.True(orphans.Count == 0,
            "fixture kinds no test reads (add a *FixtureTests class using Fixtures.Names(folder, \"<kind>\")):\n  "
            + string.Join("\n  ", orphans));
    }

    [Fact]
    public void PendingKindsAreStillPending()
    {
        var kinds = FixtureKinds();
        var consumed = ConsumedNames();
        var done = Pending.Where(consumed.Contains).ToList();
        Assert.True(done.Count == 0, "now read by a test, remove from Pending: " + string.Join(", ", done));
        var stale = Pending.Where(k => !kinds.ContainsKey(k)).ToList();
        Assert.True(stale.Count == 0, "no fixture has these pending kinds, remove them from Pending: " + string.Join(", ", stale));
    }
}
