using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// fp16's loss scaler in checkpoints: its scale and growth tracker are written beside the optimizer state and restored
/// on resume, so a resumed fp16 run scales (and grows or backs off) exactly as the stopped one would have. fp16 needs
/// CUDA, so the scaler is driven directly here on CPU gradients (the state handling is device independent).
/// </summary>
[Collection(SerialTraining.Name)]
public class GradScalerCheckpointTests
{
    static readonly RunPrecision Fp16 = new("fp16", Device.CPU, "test");

    static DetrDetector Build()
    {
        torch.manual_seed(3);
        var config = new DetrConfig { HiddenDim = 32, NHeads = 2, EncLayers = 1, DecLayers = 1, DimFeedforward = 32, NumQueries = 4, NumClasses = 3 };
        return (DetrDetector)DetrFamily.Instance.Build(config, new DetectorBuildOptions());
    }

    // one scaler step on gradients of the given value (inf: an overflowed float16 backward)
    static void ScalerStep(amp.GradScaler scaler, optim.Optimizer optimizer, IReadOnlyList<Tensor> parameters, double gradient)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var p in parameters) p.grad = torch.full_like(p, gradient);
        scaler.step(optimizer, parameters);
        scaler.update();
    }

    [Fact]
    public void TheScaleAndGrowthTrackerSurviveACheckpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), "detrsharp-scaler-" + Guid.NewGuid().ToString("N")[..8] + ".pth");
        try
        {
            using var scope = torch.NewDisposeScope();
            using var det = Build();
            var parameters = det.Module.parameters().Where(p => p.requires_grad).ToList();
            using var opt = TrainingOptimizer.Create(det, new OptimConfig());
            var step = new TrainingStep(det, opt, 0.1, precision: Fp16);
            var scaler = Assert.IsType<amp.GradScaler>(step.Scaler);
            // growth every 2000 finite steps: one overflow backs off to 32768, then 3 finite steps count towards growth
            ScalerStep(scaler, opt, parameters, double.PositiveInfinity);
            for (int i = 0; i < 3; i++) ScalerStep(scaler, opt, parameters, 1e-3);
            Assert.Equal(32768, scaler.get_scale());
            Assert.Equal(3, scaler.growth_tracker);

            var root = new Dictionary<string, object?>();
            OptimizerCheckpoint.Write(root, new OptimizerChoice("adamw", 1e-4, 0.9, false), step);
            torch.save(root, path);
            var loaded = (PickleDict)torch.load(path)!;
            try
            {
                using var opt2 = TrainingOptimizer.Create(det, new OptimConfig());
                var resumed = new TrainingStep(det, opt2, 0.1, precision: Fp16);
                Assert.Equal(65536, resumed.Scaler!.get_scale());
                OptimizerCheckpoint.RestoreScaler(loaded, resumed);
                Assert.Equal(32768, resumed.Scaler.get_scale());
                Assert.Equal(3, resumed.Scaler.growth_tracker);
                // and it goes on as the original does: an overflow halves it again and resets the count
                ScalerStep(scaler, opt, parameters, double.NaN);
                ScalerStep(resumed.Scaler, opt2, parameters, double.NaN);
                Assert.Equal(scaler.get_scale(), resumed.Scaler.get_scale());
                Assert.Equal(scaler.growth_tracker, resumed.Scaler.growth_tracker);

                // a bf16 run's step has no scaler: nothing to restore; an fp16 resume of a checkpoint without one starts fresh
                var bf16 = new TrainingStep(det, opt2, 0.1, precision: new RunPrecision("bf16", Device.CPU, "test"));
                OptimizerCheckpoint.RestoreScaler(loaded, bf16);
                Assert.Null(bf16.Scaler);
                var none = new Dictionary<string, object?>();
                OptimizerCheckpoint.Write(none, new OptimizerChoice("adamw", 1e-4, 0.9, false), bf16);
                Assert.Null(none["grad_scaler"]);
            }
            finally
            {
                CheckpointTree.DisposeTensors(loaded);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
