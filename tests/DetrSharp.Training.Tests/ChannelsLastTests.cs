using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace DetrSharp.Training.Tests;

/// <summary>
/// runtime.channels_last: the setting and auto's rule, a family's model built channels_last computing the same losses
/// as built NCHW (float32, tolerance 1e-4 relative + 1e-5: only the summation order of the convolutions differs), and
/// checkpoints of a channels_last run holding NCHW-contiguous tensors that load into either layout.
/// </summary>
[Collection(SerialTraining.Name)]
public class ChannelsLastTests(ITestOutputHelper output)
{
    static RunConfig Config(string family, string channelsLast)
    {
        var run = RunConfig.ForModel(family);
        if (family is "detr" or "dino") run = run.With([("model.dropout", "0")]);
        return run with { Runtime = run.Runtime with { Precision = "fp32", ChannelsLast = channelsLast } };
    }

    static IDetector Build(string family, string channelsLast)
    {
        torch.manual_seed(11);
        var detector = DetectorFactory.Build(Config(family, channelsLast), 4);
        detector.Module.train();
        return detector;
    }

    static DetectionBatch Batch(int size = 64)
    {
        using var gen = new Generator(seed: 64);
        var targets = Enumerable.Range(0, 2).Select(b => new DetectionTarget(
            torch.tensor(new long[] { 1, 3 }),                                                       // [T]
            torch.tensor(new float[] { 0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.25f }, [2, 4]))    // [T, 4] cxcywh
        { Size = (size, size), OriginalSize = (size, size) }).ToArray();
        return new DetectionBatch
        {
            Samples = new NestedTensor(torch.randn([2, 3, size, size], generator: gen), torch.zeros([2, size, size], ScalarType.Bool)),
            Targets = targets,
        };
    }

    // a convolution weight whose layouts differ (a 1×1 or depthwise kernel's NCHW and NHWC strides coincide)
    static bool IsConv(Tensor p) => p.dim() == 4 && p.size(1) > 1 && p.size(2) * p.size(3) > 1;

    [Fact]
    public void TheSettingTakesAutoTrueOrFalseAndMayChangeOnResume()
    {
        var c = new RunConfig();
        Assert.Equal("auto", c.Runtime.ChannelsLast);
        Assert.Equal("true", c.With([("runtime.channels_last", "true")]).Validate().Runtime.ChannelsLast);
        Assert.Equal("false", c.With([("runtime.channels_last", "false")]).Validate().Runtime.ChannelsLast);
        var bad = Assert.Throws<ConfigException>(() => c.With([("runtime.channels_last", "nhwc")]).Validate());
        Assert.Contains("runtime.channels_last must be one of auto, true, false; got \"nhwc\"", bad.Message);
        Assert.Contains("runtime.channels_last", ResumeRules.Mutable);
        var cpu32 = new RunPrecision("fp32", Device.CPU, "test");
        Assert.True(ChannelsLastChoice.Resolve("true", "detr", cpu32).Enabled);
        Assert.False(ChannelsLastChoice.Resolve("false", "yolov8", new RunPrecision("bf16", Device.CPU, "test")).Enabled);
        // auto follows the measured rule, per family and precision
        foreach (var (family, precision, on) in new[] { ("detr", "fp32", true), ("detr", "bf16", true), ("yolov8", "bf16", true),
                     ("yolov10", "fp32", true), ("dino", "fp32", false), ("dino", "bf16", false) })
        {
            var choice = ChannelsLastChoice.Resolve("auto", family, new RunPrecision(precision, Device.CPU, "test"));
            Assert.Equal(on, choice.Enabled);
            Assert.StartsWith("auto: ", choice.Reason);
        }
        Assert.False(ChannelsLastChoice.Resolve("auto", "detr", new RunPrecision("bf16", Device.CUDA, "test")).Enabled);   // not measured there
    }

    [Theory]
    [InlineData("detr")]
    [InlineData("yolov8")]
    [InlineData("yolov10")]
    [InlineData("dino")]
    public void AModelBuiltChannelsLastComputesTheSameLossesAsNchw(string family)
    {
        using var scope = torch.NewDisposeScope();
        using var nchw = Build(family, "false");
        using var nhwc = Build(family, "true");
        var a = nchw.Module.named_parameters().ToList();
        var b = nhwc.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Contains(a, p => IsConv(p.parameter));
        foreach (var (name, p) in a)
        {
            Assert.True(torch.equal(p, b[name]), $"{name}: values differ after the relayout");
            Assert.Equal(p.requires_grad, b[name].requires_grad);
            if (IsConv(p))
            {
                Assert.Equal(MemoryFormat.Contiguous, p.suggest_memory_format());
                Assert.True(b[name].suggest_memory_format() == MemoryFormat.ChannelsLast, $"{name} is not channels_last");
            }
        }
        var batch = Batch(family == "dino" ? 96 : 64);   // DINO selects its 100 queries from the encoder's tokens
        torch.manual_seed(5);
        var la = nchw.Losses(batch).ToDictionary(kv => kv.Key, kv => kv.Value.item<double>());
        torch.manual_seed(5);
        var lb = nhwc.Losses(batch).ToDictionary(kv => kv.Key, kv => kv.Value.item<double>());
        Assert.Equal(la.Keys.Order(), lb.Keys.Order());
        foreach (var (key, x) in la)
        {
            output.WriteLine($"{key}: NCHW {x:G9} channels_last {lb[key]:G9}");
            Assert.True(Math.Abs(lb[key] - x) <= 1e-4 * Math.Abs(x) + 1e-5, $"{family} {key}: channels_last {lb[key]} against NCHW {x}");
        }
    }

    [Fact]
    public void CheckpointsOfAChannelsLastRunAreNchwAndLoadIntoEitherLayout()
    {
        var dir = Path.Combine(Path.GetTempPath(), "detrsharp-cl-" + Guid.NewGuid().ToString("N")[..8]);
        var path = Path.Combine(dir, Checkpoint.FileName);
        try
        {
            using var scope = torch.NewDisposeScope();
            var cfg = Config("yolov8", "true");
            using var det = Build("yolov8", "true");
            using var opt = TrainingOptimizer.Create(det, cfg.Optim);
            var sched = new optim.lr_scheduler.LambdaLR(opt, _ => 1.0);
            using var ema = new ModelEma(det.Module, 0.9);
            new TrainingStep(det, opt, 10).Run(Batch(), 1);
            ema.Update();
            Checkpoint.Save(path, det.Module, opt, sched, ema, new TrainingProgress(0, 1, 1), cfg);
            // saving left the run's own tensors channels_last
            Assert.All(det.Module.parameters().Where(IsConv), p => Assert.Equal(MemoryFormat.ChannelsLast, p.suggest_memory_format()));

            using (var loaded = Checkpoint.Load(path))
            {
                int checkedTensors = 0;
                foreach (var (key, value) in CheckpointTree.Leaves(loaded.Root))
                    if (value is Tensor t && t.dim() == 4)
                    {
                        Assert.True(t.is_contiguous(), $"{key}: strides [{string.Join(", ", t.stride())}] are not NCHW-contiguous");
                        checkedTensors++;
                    }
                output.WriteLine($"{checkedTensors} 4-D tensors in the file, all NCHW-contiguous");
                Assert.True(checkedTensors > 3 * det.Module.parameters().Count(IsConv), "the model, EMA and optimizer state should all hold conv tensors");

                foreach (var layout in new[] { "false", "true" })
                {
                    using var fresh = Build("yolov8", layout);
                    using var freshOpt = TrainingOptimizer.Create(fresh, cfg.Optim);
                    var freshSched = new optim.lr_scheduler.LambdaLR(freshOpt, _ => 1.0);
                    using var freshEma = new ModelEma(fresh.Module, 0.9);
                    Checkpoint.Restore(loaded, fresh.Module, freshOpt, freshSched, freshEma);
                    var want = det.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                    foreach (var (name, p) in fresh.Module.named_parameters())
                    {
                        Assert.True(torch.equal(p, want[name]), $"{layout}: {name} differs after loading");
                        if (IsConv(p))
                            Assert.Equal(layout == "true" ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous, p.suggest_memory_format());
                    }
                }
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
