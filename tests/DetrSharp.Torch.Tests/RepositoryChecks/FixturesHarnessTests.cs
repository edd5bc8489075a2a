using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Torch.Tests.RepositoryChecks;

/// <summary>The fixture harness reads each folder once per process: later calls hand out the same parsed cases.</summary>
public class FixturesHarnessTests
{
    [Fact]
    public void EachFolderIsParsedOnce()
    {
        var first = Fixtures.Load("torch");
        Assert.NotEmpty(first);
        var again = Fixtures.Load("torch", first[0].Kind);
        Assert.Same(first[0], again[0]);
        Assert.Same(first[0], Fixtures.Get("torch", first[0].Name, first[0].Kind));
        Assert.Equal(first.Select(f => f.Name), Fixtures.Names("torch").Select(row => (string)row[0]));
    }

    [Fact]
    public void KindFilterAndMissingCases()
    {
        Assert.Empty(Fixtures.Load("torch", "no_such_kind"));
        Assert.Throws<InvalidOperationException>(() => Fixtures.Get("torch", "torch/no_such_file.json"));
    }
}
