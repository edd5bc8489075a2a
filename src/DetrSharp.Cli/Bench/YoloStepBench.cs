using DetrSharp.Detection.Families;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;
using DetrSharp.Training;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// The model cases of `bench yolo`: YOLOv8n and YOLOv10n (nc 80) built through their families, one training step at
/// batch 16, 640×640, 8 boxes per image (the trainer's own TrainingStep: forward, v8/v10 loss, backward, clip 10,
/// SGD momentum 0.937 nesterov as the reference's step), and inference at batch 1 (eval, no_grad, decoded output).
/// </summary>
internal static class YoloStepBench
{
    const int Image = 640, Batch = 16, BoxesPerImage = 8, Classes = 80;

    public static IEnumerable<BenchResult> Run(BenchOptions options)
    {
        int runs = options.Runs > 0 ? Math.Min(options.Runs, 5) : 3;
        foreach (var (family, stepRef, stepMin, inferRef, inferMin) in new[] { ("yolov8", 6164.0, 6051.0, 86.0, 81.0), ("yolov10", 6663.0, 6022.0, 99.0, 78.0) })
        {
            var run = RunConfig.ForModel(family) with { Runtime = new RuntimeConfig { Device = options.Device, Precision = options.Precision } };
            var precision = run.Runtime.ResolvePrecision();
            torch.manual_seed(7);
            using var detector = DetectorFactory.Build(run, Classes);
            yield return Step(family, detector, precision, runs, stepRef, stepMin);
            yield return Inference(family, (YoloDetector)detector, precision, options.Runs > 0 ? options.Runs : 10, inferRef, inferMin);
        }
    }

    static BenchResult Step(string family, IDetector detector, RunPrecision precision, int runs, double referenceMs, double referenceMinMs)
    {
        var device = precision.Device;
        using var gen = new Generator(seed: 640);
        var targets = new DetectionTarget[Batch];
        DetectionBatch host;
        using (var data = torch.NewDisposeScope())
        {
            for (int b = 0; b < Batch; b++)
            {
                var labels = torch.randint(0, Classes, [BoxesPerImage], ScalarType.Int64, generator: gen);     // [T]
                var centre = torch.rand([BoxesPerImage, 2], generator: gen).mul(0.6).add(0.2);                 // [T, 2]
                var size = torch.rand([BoxesPerImage, 2], generator: gen).mul(0.3).add(0.03);                  // [T, 2]
                targets[b] = new DetectionTarget(labels.DetachFromDisposeScope(), torch.cat([centre, size], 1).DetachFromDisposeScope()) // [T, 4]
                {
                    Size = (Image, Image), OriginalSize = (Image, Image),
                };
            }
            host = new DetectionBatch
            {
                Samples = new NestedTensor(torch.randn([Batch, 3, Image, Image], generator: gen).DetachFromDisposeScope(),   // [B, 3, H, W]
                    torch.zeros([Batch, Image, Image], ScalarType.Bool).DetachFromDisposeScope()),                         // [B, H, W]
                Targets = targets,
            };
        }
        using var _ = host;
        using var batch = host.To(device);
        var groups = detector.ParameterGroups().Select(g => new optim.ParamGroup(g.Parameters.Select(p => p.Parameter),
            weight_decay: g.Role is ParameterRole.NoDecay or ParameterRole.Bias ? 0 : 5e-4)).ToList();
        using var sgd = new optim.SGD(groups, lr: 0.01, momentum: 0.937, nesterov: true);
        var step = new TrainingStep(detector, sgd, clipMaxNorm: 10, precision: precision);
        detector.Module.train();
        double loss = double.NaN;
        long n = 0;
        var result = ModelBenchTiming.Measure($"{family}n_train_step_b16_640", () => loss = step.Run(batch, ++n)["loss"], 1, runs);
        ModelBenchTiming.AddReference(result, referenceMs, referenceMinMs);
        result.Extra["loss"] = Math.Round(loss, 3);
        result.Extra["precision"] = precision.Name;
        return result;
    }

    static BenchResult Inference(string family, YoloDetector detector, RunPrecision precision, int runs, double referenceMs, double referenceMinMs)
    {
        var device = precision.Device;
        using var gen = new Generator(seed: 641);
        using var data = torch.NewDisposeScope();
        var image = torch.rand([1, 3, Image, Image], generator: gen).to(device);          // [1, 3, H, W] in [0, 1]
        detector.Model.eval();
        void Infer()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var autocast = precision.Autocast();
            using var output = detector.Model.forward(image);
        }
        var result = ModelBenchTiming.Measure($"{family}n_infer_b1_640", Infer, 3, runs);
        ModelBenchTiming.AddReference(result, referenceMs, referenceMinMs);
        result.Extra["precision"] = precision.Name;
        detector.Model.train();
        return result;
    }
}
