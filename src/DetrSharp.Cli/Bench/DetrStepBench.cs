using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Training;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench detr-step`: DETR-R50 with the reference's default arguments (6+6 layers, 100 queries,
/// aux loss, random init) — one training step on a batch of 2 images of 512×512 (forward, SetCriterion with
/// aux losses, backward, clip_grad_norm 0.1, AdamW with the backbone's own learning rate: the trainer's own
/// TrainingStep and optimizer) and inference on one
/// 800×1066 image (eval, no_grad) — against facebookresearch/detr's times (../shared/perf/REFERENCE.md).
/// Every step runs in a dispose scope.
/// </summary>
public sealed class DetrStepBench : IBenchSuite
{
    const int TargetsPerImage = 8;

    public string Name => "detr-step";
    public string Description => "DETR-R50 training step (batch 2, 512x512) and inference (800x1066) vs facebookresearch/detr";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 1;
        var run = new RunConfig
        {
            Model = DetrConfig.Reference,
            Optim = new OptimConfig { Lr = 1e-4, LrBackbone = 1e-5, WeightDecay = 1e-4, ClipMaxNorm = 0.1 },
            Runtime = new RuntimeConfig { Device = options.Device, Precision = options.Precision },
        }.Validate();
        var precision = run.Runtime.ResolvePrecision();
        torch.manual_seed(42);
        using var detector = DetectorFactory.Build(run, 91);
        yield return TrainStep(detector, run, precision, runs, warmup);
        yield return Inference(((DetrDetector)detector).Model, precision, runs, warmup);
    }

    static BenchResult TrainStep(IDetector detector, RunConfig run, RunPrecision precision, int runs, int warmup)
    {
        using var gen = new Generator(seed: 512);
        var device = run.Runtime.TorchDevice;
        var targets = new DetectionTarget[2];
        DetectionBatch hostBatch;
        using (var data = torch.NewDisposeScope())
        {
            for (int b = 0; b < 2; b++)
            {
                var labels = torch.randint(0, 91, [TargetsPerImage], ScalarType.Int64, generator: gen);     // [T]
                var centre = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.6).add(0.2);            // [T, 2]
                var size = torch.rand([TargetsPerImage, 2], generator: gen).mul(0.3).add(0.05);             // [T, 2]
                targets[b] = new DetectionTarget(labels.DetachFromDisposeScope(), torch.cat([centre, size], 1).DetachFromDisposeScope()) // [T, 4] cxcywh
                {
                    Size = (512, 512), OriginalSize = (512, 512),
                };
            }
            hostBatch = new DetectionBatch
            {
                Samples = new NestedTensor(torch.randn([2, 3, 512, 512], generator: gen).DetachFromDisposeScope(),  // [B, 3, H, W]
                    torch.zeros([2, 512, 512], ScalarType.Bool).DetachFromDisposeScope()),                        // [B, H, W]
                Targets = targets,
            };
        }
        using var _ = hostBatch;
        using var batch = hostBatch.To(device);
        using var optimizer = TrainingOptimizer.Create(detector, run.Optim);
        var step = new TrainingStep(detector, optimizer, run.Optim.ClipMaxNorm, precision: precision);
        detector.Module.train();
        double loss = double.NaN;
        long n = 0;
        void Step() => loss = step.Run(batch, ++n)["loss"];

        var result = ModelBenchTiming.Measure("detr_r50_train_step_b2_512", Step, warmup, runs);
        ModelBenchTiming.AddReference(result, 4216, 2938);
        result.Extra["loss"] = Math.Round(loss, 4);
        result.Extra["device"] = device.ToString();
        result.Extra["precision"] = precision.Name;
        return result;
    }

    static BenchResult Inference(DETR model, RunPrecision precision, int runs, int warmup)
    {
        var device = precision.Device;
        using var gen = new Generator(seed: 800);
        using var data = torch.NewDisposeScope();
        var samples = new NestedTensor(torch.randn([1, 3, 800, 1066], generator: gen).to(device), torch.zeros([1, 800, 1066], ScalarType.Bool).to(device));
        model.eval();

        void Infer()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var autocast = precision.Autocast();
            // one box read back: on a GPU the kernels run asynchronously, and the time must include them (a no-op wait on the CPU)
            model.forward(samples).PredBoxes[0, 0, 0].item<float>();
        }

        var result = ModelBenchTiming.Measure("detr_r50_infer_b1_800x1066", Infer, warmup, runs);
        ModelBenchTiming.AddReference(result, 1812, 1632);
        result.Extra["device"] = device.ToString();
        result.Extra["precision"] = precision.Name;
        model.train();
        return result;
    }
}
