using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Every shipped definition builds for any nc; outputs have ultralytics' layout in train and eval mode.</summary>
public class YoloModelTests
{
    public static IEnumerable<object[]> Names => YoloConfig.BuiltInNames.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void BuildsAndRunsWithAnyNumberOfClasses(string name)
    {
        const long nc = 3;
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build(name, nc);
        Assert.Equal(new[] { 8.0, 16.0, 32.0 }, model.Strides);
        Assert.Equal(nc, model.NumClasses);
        Assert.Equal(16, model.RegMax);
        Assert.Equal(name.StartsWith("yolov10", StringComparison.Ordinal), model.IsEndToEnd);
        Assert.Equal(model.Config.Layers.Count, model.Layers.Count);

        var images = torch.rand(2, 3, 64, 96);
        long no = 4 * 16 + nc;
        using (var train = model.forward(images))
        {
            foreach (var branch in new[] { train.One2Many, train.One2One })
            {
                if (branch is null) { Assert.False(model.IsEndToEnd); continue; }
                Assert.Null(branch.Decoded);
                Assert.Equal(new[] { new long[] { 2, no, 8, 12 }, new long[] { 2, no, 4, 6 }, new long[] { 2, no, 2, 3 } }, branch.Feats.Select(t => t.shape));
            }
        }
        model.eval();
        using (torch.no_grad())
        using (var eval = model.forward(images))
        {
            foreach (var branch in new[] { eval.One2Many, eval.One2One })
            {
                if (branch is null) continue;
                Assert.Equal(new long[] { 2, 4 + nc, 8 * 12 + 4 * 6 + 2 * 3 }, branch.Decoded!.shape);
                // Class scores are sigmoid probabilities; box sizes are non-negative (DFL expectation of distances).
                using var cls = branch.Decoded.narrow(1, 4, nc);
                Assert.True(cls.min().item<float>() >= 0 && cls.max().item<float>() <= 1);
                using var wh = branch.Decoded.narrow(1, 2, 2);
                Assert.True(wh.min().item<float>() >= 0);
            }
        }
    }

    [Fact]
    public void HeadBiasesFollowBiasInit()
    {
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build("yolov10n", 7);
        var sd = model.state_dict();
        foreach (var branch in new[] { "cv", "one2one_cv" })
            for (int level = 0; level < 3; level++)
            {
                double stride = model.Strides[level];
                using var box = sd[$"model.23.{branch}2.{level}.2.bias"];
                using var cls = sd[$"model.23.{branch}3.{level}.2.bias"];
                Assert.True(box.eq(1.0f).all().item<bool>());
                float want = (float)Math.Log(5.0 / 7 / Math.Pow(640 / stride, 2));
                Assert.True(cls.eq(want).all().item<bool>(), $"{branch}3.{level}: {cls}");
            }
        using var dfl = sd["model.23.dfl.conv.weight"];
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (float)i), dfl.flatten().data<float>().ToArray());
        Assert.False(model.named_parameters().Single(p => p.name == "model.23.dfl.conv.weight").parameter.requires_grad);
    }

    [Fact]
    public void V10OneToOneBranchStartsAsACopyAndTrainsOnlyTheHead()
    {
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build("yolov10n", 4);
        var sd = model.state_dict();
        foreach (var (key, value) in sd.Where(kv => kv.Key.StartsWith("model.23.one2one_", StringComparison.Ordinal)))
            Assert.True(torch.equal(value, sd[key.Replace("one2one_", "")]), $"{key} is not a copy of its one-to-many twin");

        using var output = model.forward(torch.rand(1, 3, 64, 64));
        var loss = output.One2One!.Feats.Select(t => t.sum()).Aggregate((a, b) => a + b);
        loss.backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.Null(grads["model.0.conv.weight"]);                      // backbone: no gradient from one2one
        Assert.Null(grads["model.23.cv2.0.0.conv.weight"]);              // one-to-many head: untouched
        Assert.NotNull(grads["model.23.one2one_cv2.0.0.conv.weight"]);   // one-to-one head: trained
        Assert.NotNull(grads["model.23.one2one_cv3.2.2.bias"]);
    }

    [Fact]
    public void BatchNormsUseUltralyticsSettingsAndCountTheStrideForward()
    {
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build("yolov8n", 2);
        var norms = model.modules().OfType<DetrSharp.Torch.Modules.BatchNorm2d>().ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, bn => { Assert.Equal(1e-3, bn.eps); Assert.Equal(0.03, bn.momentum); });
        // The 256x256 zero image of the stride forward ran in training mode at PyTorch's default momentum 0.1.
        Assert.All(norms, bn => Assert.Equal(1L, bn.num_batches_tracked!.item<long>()));
        Assert.All(norms, bn => Assert.True(torch.allclose(bn.running_var!, torch.full(new[] { bn.num_features }, 0.9f))));
    }

    /// <summary>The larger v8 scales (not in the key fixture), against the model summaries printed in the official yolov8.yaml (nc 80).</summary>
    [Theory]
    [InlineData("yolov8m", 25_902_640)]
    [InlineData("yolov8l", 43_691_520)]
    [InlineData("yolov8x", 68_229_648)]
    public void LargerV8ScalesHaveTheOfficialParameterCounts(string name, long parameters)
    {
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build(name, 80);
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(2, 0.33, 1)]
    [InlineData(3, 0.33, 1)]
    [InlineData(6, 0.33, 2)]
    [InlineData(3, 0.67, 2)]
    [InlineData(6, 0.67, 4)]
    [InlineData(1, 0.33, 1)]
    [InlineData(3, 1.0, 3)]
    public void RepeatsScaleAsParseModel(int n, double depth, int expected) => Assert.Equal(expected, YoloParseModel.ScaleRepeats(n, depth));

    [Fact]
    public void ChannelsRoundUpToMultiplesOfEight()
    {
        Assert.Equal(16, YoloParseModel.MakeDivisible(64 * 0.25, 8));
        Assert.Equal(48, YoloParseModel.MakeDivisible(64 * 0.75, 8));
        Assert.Equal(80, YoloParseModel.MakeDivisible(64 * 1.25, 8));
        Assert.Equal(24, YoloParseModel.MakeDivisible(17, 8));
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        var unknown = Assert.Throws<ArgumentException>(() => YoloConfig.BuiltIn("yolov9z"));
        Assert.Contains("unknown YOLO model 'yolov9z'", unknown.Message);
        var scale = Assert.Throws<ArgumentException>(() => YoloConfig.BuiltIn("yolov8q"));
        Assert.Contains("no scale 'q'", scale.Message);
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build("yolov8n", 1);
        var size = Assert.Throws<ArgumentException>(() => model.forward(torch.zeros(1, 3, 40, 64)));
        Assert.Contains("multiple of the largest stride 32", size.Message);
    }

    [Fact]
    public void AYamlFileBuildsLikeTheShippedOne()
    {
        var text = YoloConfig.BuiltIn("yolov8s").Yaml;
        var path = Path.Combine(Path.GetTempPath(), $"custom-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text.Replace("nc: 80", "nc: 11"));
        try
        {
            var config = YoloConfig.FromFile(path, "s");
            Assert.Equal(11, config.Nc);
            Assert.Equal("s", config.Scale);
            using var scope = torch.NewDisposeScope();
            using var fromFile = YoloModel.Build(config);
            using var shipped = YoloModel.Build("yolov8s", 11);
            Assert.Equal(shipped.state_dict().Select(kv => (kv.Key, string.Join(",", kv.Value.shape))),
                fromFile.state_dict().Select(kv => (kv.Key, string.Join(",", kv.Value.shape))));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
