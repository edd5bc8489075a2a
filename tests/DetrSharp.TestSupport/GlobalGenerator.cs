namespace DetrSharp.TestSupport;

/// <summary>
/// The xunit collection of test classes that seed libtorch's global generator (<c>torch.manual_seed</c>) and then draw
/// from it, directly (torch.rand, torch.randn) or through module initialisation and dropout. Run in parallel with other
/// classes drawing from the same generator, their sequences interleave and seeded results change from run to run.
/// Each test project that has such classes defines the collection once, with parallelization disabled (xunit only
/// finds collection definitions in the test assembly itself):
/// <code>[CollectionDefinition(GlobalGenerator.Collection, DisableParallelization = true)]
/// public sealed class GlobalGeneratorCollection;</code>
/// and each such class carries <c>[Collection(GlobalGenerator.Collection)]</c>. A class that only needs reproducible
/// numbers can instead draw from its own <c>new Generator(seed)</c> and stay parallel.
/// </summary>
public static class GlobalGenerator
{
    public const string Collection = "libtorch global generator";
}
