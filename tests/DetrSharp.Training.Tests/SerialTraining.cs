using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// The test classes that seed libtorch's global generator, build models from it and set its thread count: they run
/// one after another, or one class's <c>torch.manual_seed</c> and model initialisation interleave with another's
/// (a resumed run then starts from other weights than the straight run it is compared with).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SerialTraining
{
    public const string Name = "training (libtorch global state)";
}
