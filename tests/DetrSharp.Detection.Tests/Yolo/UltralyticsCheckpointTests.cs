using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// Ultralytics .pt files: a checkpoint pickling the whole model object (ultralytics and torch.nn classes),
/// written from the yolo_forward reference weights, reads back to the same state dict, names and nc, and
/// loads strictly into a model built from the shipped YAML.
/// </summary>
public class UltralyticsCheckpointTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var row in Fixtures.Names("yolo", "yolo_forward"))
        {
            yield return new object[] { row[0], true };
            yield return new object[] { row[0], false };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PickledModelObjectLoadsStrictly(string name, bool asEma)
    {
        var f = YoloFixtureData.Get(name);
        var p = f.Params;
        string family = p.GetProperty("family").GetString()!, scale = p.GetProperty("scale").GetString()!;
        long nc = p.GetProperty("nc").GetInt64();
        using var scope = torch.NewDisposeScope();
        using var source = YoloModel.Build(family + scale, nc);
        source.load_state_dict(Path.Combine(Path.GetDirectoryName(f.Path)!, f.Inputs.GetProperty("state_dict_file").GetString()!), strict: true);
        var names = Enumerable.Range(0, (int)nc).Select(i => $"class_{i}").ToList();
        // ultralytics records yaml_file as asked for (yolov8n.yaml, resolved to yolov8.yaml at scale n).
        var yamlFile = $"{family}{scale}.yaml";
        var path = Path.Combine(Path.GetTempPath(), $"ultralytics-{Guid.NewGuid():N}.pt");
        try
        {
            torch.save(UltralyticsPickle.Checkpoint(source, yamlFile, scale, names, asEma), path);
            using var ckpt = UltralyticsCheckpoint.Load(path);
            Assert.Equal(asEma ? "ema" : "model", ckpt.Entry);
            Assert.Equal("ultralytics.nn.tasks.DetectionModel", ckpt.ClassName);
            Assert.Equal(nc, ckpt.Nc);
            Assert.Equal(names, Enumerable.Range(0, (int)nc).Select(i => ckpt.Names[i]));
            Assert.Equal(scale, ckpt.Scale);
            Assert.Equal(family + scale, ckpt.ModelName);

            using var target = YoloModel.Build(ckpt.ModelName!, ckpt.Nc);
            Assert.True(ckpt.LoadInto(target, strict: true).IsClean);
            var expected = source.state_dict();
            var actual = target.state_dict();
            Assert.Equal(expected.Keys, ckpt.StateDict.Keys);
            foreach (var (key, want) in expected)
            {
                var got = actual[key];
                Assert.Equal(want.dtype, got.dtype);
                if (!asEma) Assert.True(torch.equal(want, got), $"{key} differs after the round trip");
                else
                {
                    // ema is stored in float16, as ultralytics saves it; loading makes it float32 again.
                    using var rounded = want.is_floating_point() ? want.to(ScalarType.Float16).to(ScalarType.Float32) : want.clone();
                    Assert.True(torch.equal(rounded, got), $"{key} is not the float16-rounded weight");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The same model object as Python's pickle writes it (NEWOBJ + BUILD per module), straight to a model.</summary>
    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void PythonPickledModelObjectBuildsThePretrainedModel(string name)
    {
        var f = YoloFixtureData.Get(name);
        var p = f.Params;
        string family = p.GetProperty("family").GetString()!, scale = p.GetProperty("scale").GetString()!;
        long nc = p.GetProperty("nc").GetInt64();
        using var scope = torch.NewDisposeScope();
        using var source = YoloModel.Build(family + scale, nc);
        source.load_state_dict(Path.Combine(Path.GetDirectoryName(f.Path)!, f.Inputs.GetProperty("state_dict_file").GetString()!), strict: true);
        var path = Path.Combine(Path.GetTempPath(), $"ultralytics-py-{Guid.NewGuid():N}.pt");
        try
        {
            var names = Enumerable.Range(0, (int)nc).Select(i => $"c{i}").ToList();
            PythonStylePickleFile.Save(UltralyticsPickle.Checkpoint(source, $"{family}{scale}.yaml", scale, names, asEma: false), path);
            using var ckpt = UltralyticsCheckpoint.Load(path);
            using var model = YoloModel.FromUltralytics(ckpt);
            Assert.Equal(nc, model.NumClasses);
            var want = source.state_dict();
            var got = model.state_dict();
            Assert.Equal(want.Keys, got.Keys);
            foreach (var (key, value) in want) Assert.True(torch.equal(value, got[key]), $"{key} differs");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static IEnumerable<object[]> ForwardCases => Fixtures.Names("yolo", "yolo_forward");

    [Fact]
    public void PlainStateDictIsNotAnUltralyticsCheckpoint()
    {
        var f = Fixtures.Load("yolo", "yolo_forward")[0];
        var path = Path.Combine(Path.GetDirectoryName(f.Path)!, f.Inputs.GetProperty("state_dict_file").GetString()!);
        var e = Assert.Throws<InvalidDataException>(() => UltralyticsCheckpoint.Load(path));
        Assert.Contains("not an ultralytics checkpoint", e.Message);
    }

    [Fact]
    public void ModelObjectWithoutModuleStateIsRejected()
    {
        var ckpt = new PickleDict();
        ckpt["model"] = new PickleObject("ultralytics.nn.tasks", "DetectionModel", Array.Empty<object?>(), new PickleDict());
        var e = Assert.Throws<InvalidDataException>(() => UltralyticsCheckpoint.FromObject(ckpt, "test.pt"));
        Assert.Contains("not a pickled torch.nn.Module", e.Message);
    }
}
