namespace DetrSharp.Cli.Bench;

/// <summary>Every suite the bench command knows, by name.</summary>
public static class BenchSuites
{
    public static IReadOnlyList<IBenchSuite> All { get; } = new IBenchSuite[]
    {
    };
}
