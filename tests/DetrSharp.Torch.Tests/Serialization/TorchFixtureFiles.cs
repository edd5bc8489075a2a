using System.Text.Json;
using DetrSharp.TestSupport;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// The .pth files of every <c>torch_state_dict</c> fixture (tests/fixtures/torch and the same folder under
/// DETRSHARP_EXTRA_FIXTURES), resolved from each JSON's <c>params.files</c> relative to that JSON's folder.
/// </summary>
public static class TorchFixtureFiles
{
    public const string Folder = "torch";
    public const string Kind = "torch_state_dict";

    /// <summary>xunit rows: fixture name, file label (the key in params.files).</summary>
    public static IEnumerable<object[]> Rows()
        => Fixtures.Load(Folder, Kind).SelectMany(f => Files(f).Select(x => new object[] { f.Name, x.Label }));

    /// <summary>(label, absolute path) of each file a fixture names.</summary>
    public static IEnumerable<(string Label, string Path)> Files(Fixture f)
    {
        var dir = Path.GetDirectoryName(f.Path)!;
        foreach (var p in f.Params.GetProperty("files").EnumerateObject())
            yield return (p.Name, Path.Combine(dir, p.Value.GetString()!));
    }

    public static (Fixture Fixture, string Path) Get(string fixture, string label)
    {
        var f = Fixtures.Get(Folder, fixture, Kind);
        return (f, Files(f).Single(x => x.Label == label).Path);
    }

    /// <summary>The expected top-level scalars of a checkpoint (every expected entry but keys, tensors, strides).</summary>
    public static IEnumerable<JsonProperty> ExpectedScalars(Fixture f)
        => f.Expected.EnumerateObject().Where(p => p.Name is not ("keys" or "tensors" or "strides"));
}
