namespace DetrSharp.Cli.Bench;

/// <summary>Every suite the bench command knows, by name.</summary>
public static class BenchSuites
{
    public static IReadOnlyList<IBenchSuite> All { get; } = new IBenchSuite[]
    {
        new InteropBench(),
        new MemoryBench(),
        new CocoEvalBench(),
        new LsaBench(),
        new MatcherBench(),
        new CheckpointBench(),
        new DetrStepBench(),
        new YoloBench(),
        new DinoBench(),
        new OnnxBench(),
        new DdpBench(),
        new AugmentBench(),
        new ResNetStepBench(),
        new ChannelsLastBench(),
    };
}
