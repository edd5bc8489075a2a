using System.Text.RegularExpressions;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.RepositoryChecks;

/// <summary>
/// A test class that seeds libtorch's global generator must not run in parallel with others drawing from it (see
/// <see cref="GlobalGenerator"/>): every test source that calls torch.manual_seed or uses Generator.Default carries a
/// [Collection(...)] attribute, normally [Collection(GlobalGenerator.Collection)].
/// </summary>
public partial class GlobalGeneratorUseTests
{
    [GeneratedRegex(@"\btorch\s*\.\s*manual_seed\s*\(|\bGenerator\s*\.\s*Default\b")]
    private static partial Regex GlobalSeeding();

    [GeneratedRegex(@"^\s*\[\s*Collection\s*\(", RegexOptions.Multiline)]
    private static partial Regex CollectionAttribute();

    [Fact]
    public void ClassesSeedingTheGlobalGeneratorRunInACollection()
    {
        var offenders = new List<string>();
        int seeding = 0;
        foreach (var file in Repository.Files("tests", "*.cs"))
        {
            var code = string.Join("\n", File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            if (!GlobalSeeding().IsMatch(code)) continue;
            seeding++;
            if (!CollectionAttribute().IsMatch(code)) offenders.Add(Repository.Relative(file));
        }
        Assert.True(seeding > 0, "no test seeds the global generator: is the scan still finding the sources?");
        Assert.True(offenders.Count == 0,
            "seed libtorch's global generator but run in parallel (add [Collection(GlobalGenerator.Collection)] or use a new Generator(seed)):\n  "
            + string.Join("\n  ", offenders));
    }
}
