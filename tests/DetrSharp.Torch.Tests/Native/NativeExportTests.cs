using System.Text.RegularExpressions;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.Native;

/// <summary>
/// The shim's rule (native/src/common.h): every exported function runs its whole body inside DSH_TRY ... DSH_CATCH,
/// because a C++ exception crossing the C ABI terminates the process. Checked over the sources, so a new export
/// written without the wrapper fails here by name.
/// </summary>
public partial class NativeExportTests
{
    [GeneratedRegex(@"\bDSH_API\b")]
    private static partial Regex Export();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex FunctionName();

    /// <summary>(file, function, body without the outer braces) of every DSH_API function, macro templates included.</summary>
    static IEnumerable<(string File, string Name, string Body)> Exports()
    {
        var files = Repository.Files("native/src", "*.cpp").Concat(Repository.Files("native/src", "*.h"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).Replace("\\\r\n", "\n").Replace("\\\n", "\n"); // join macro lines
            foreach (Match m in Export().Matches(text))
            {
                int lineStart = text.LastIndexOf('\n', Math.Max(m.Index - 1, 0)) + 1;
                var before = text[lineStart..m.Index].Trim();
                if (before == "#define") continue; // the definition of DSH_API itself
                if (before.StartsWith("//", StringComparison.Ordinal)) continue;
                int open = text.IndexOf('{', m.Index);
                int semicolon = text.IndexOf(';', m.Index);
                if (open < 0 || (semicolon >= 0 && semicolon < open)) continue; // a declaration, not a definition
                var name = FunctionName().Match(text, m.Index + m.Length, open - m.Index - m.Length).Groups[1].Value;
                int depth = 0, close = open;
                for (; close < text.Length; close++)
                {
                    if (text[close] == '{') depth++;
                    else if (text[close] == '}' && --depth == 0) break;
                }
                yield return (Repository.Relative(file), name, text[(open + 1)..close]);
            }
        }
    }

    static string StripComments(string body)
        => string.Join("\n", body.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)));

    [Fact]
    public void EveryExportRunsInsideTryCatch()
    {
        var exports = Exports().ToList();
        Assert.True(exports.Count > 60, $"only {exports.Count} exported functions found under native/src");
        var bad = exports
            .Where(e =>
            {
                var body = StripComments(e.Body);
                return !body.StartsWith("DSH_TRY", StringComparison.Ordinal) || !Regex.IsMatch(body, @"DSH_CATCH(_VOID)?\([^)]*\)\s*$");
            })
            .Select(e => $"{e.File}: {e.Name}")
            .ToList();
        Assert.True(bad.Count == 0, "exported without DSH_TRY ... DSH_CATCH around the whole body:\n  " + string.Join("\n  ", bad));
    }
}
