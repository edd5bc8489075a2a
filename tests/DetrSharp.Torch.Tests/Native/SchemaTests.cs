using System.Text.RegularExpressions;
using DetrSharp.Torch.Dispatch;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.Native;

/// <summary>
/// Every ATen operator the code calls by schema name ("aten::name" or "aten::name.overload" in src/**/*.cs) exists in
/// the libtorch it runs on. Operators are looked up lazily, on first call, so a libtorch lacking one (renamed or
/// removed overloads between versions) would otherwise fail deep inside a run; this test fails at once with the list.
/// </summary>
public partial class SchemaTests
{
    [GeneratedRegex("\"(aten::[A-Za-z0-9_]+(?:\\.[A-Za-z0-9_]+)?)\"")]
    private static partial Regex SchemaLiteral();

    /// <summary>Schema name =&gt; the first place it is used ("src/.../file.cs:12").</summary>
    static Dictionary<string, string> UsedSchemas()
    {
        var used = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Repository.Files("src", "*.cs"))
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue; // comments and docs
                foreach (Match m in SchemaLiteral().Matches(lines[i]))
                    used.TryAdd(m.Groups[1].Value, $"{Repository.Relative(file)}:{i + 1}");
            }
        }
        return used;
    }

    [Fact]
    public void EverySchemaTheBindingUsesResolves()
    {
        var used = UsedSchemas();
        Assert.True(used.Count > 100, $"only {used.Count} aten:: names found under src/: is the scan still finding them?");
        var missing = used.Where(kv => !Op.Exists(kv.Key)).Select(kv => $"{kv.Key} (used at {kv.Value})").ToList();
        Assert.True(missing.Count == 0,
            $"libtorch {torch.version} lacks {missing.Count} operator(s) the binding calls:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void ExistsTellsKnownFromUnknownOperators()
    {
        Assert.True(Op.Exists("aten::add.Tensor"));
        Assert.True(Op.Exists("aten::sum"));
        Assert.False(Op.Exists("aten::add.no_such_overload"));
        Assert.False(Op.Exists("aten::no_such_operator"));
    }
}
