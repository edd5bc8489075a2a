using DetrSharp.TestSupport;

namespace DetrSharp.Onnx.Tests;

/// <summary>The classes that seed libtorch's global generator run alone, one after another (see <see cref="GlobalGenerator"/>).</summary>
[CollectionDefinition(GlobalGenerator.Collection, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection;
