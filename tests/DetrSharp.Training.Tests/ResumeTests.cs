using DetrSharp.Torch;
using DetrSharp.Training;
using DetrSharp.Detection.Families;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>2N steps straight equal N steps, a stop (as a killed run), and N more after --resume: identical weights.</summary>
[Collection(SerialTraining.Name)]
public class ResumeTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public ResumeTests(TinyData data) => _data = data;

    static Dictionary<string, float[]> Weights(IDetector d)
    {
        using var scope = torch.NewDisposeScope();
        return d.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float32).data<float>());
    }

    (IDetector detector, TrainingData data) Fresh(RunConfig cfg)
    {
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        return (DetectorFactory.Build(cfg, data.ClassNames.Count), data);
    }

    /// <summary>
    /// Equal up to float32 rounding (1e-5 relative): a resumed process allocates in another order and
    /// libtorch's kernels can round the last bit differently for differently aligned buffers; a run that
    /// restarts in the same allocation state is bit-exact. Schedule, data order, RNG and optimizer state
    /// all continue exactly, or the weights would be far apart after the 4 resumed steps.
    /// </summary>
    [Theory]
    [InlineData(0.0, 1e-5)]
    [InlineData(0.9, 1e-5)]
    public void ResumedRunEqualsStraightRun(double ema, double tolerance)
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 8), ("schedule.epochs", 3), ("optim.ema", ema));
        var dirA = Path.Combine(_data.Root, $"runA{ema}");
        var dirB = Path.Combine(_data.Root, $"runB{ema}");

        var (detA, dataA) = Fresh(cfg);
        Dictionary<string, float[]> straight;
        using (detA)
        using (var trainer = new Trainer(detA, dataA, cfg, dirA))
        {
            trainer.Run();
            straight = Weights(detA);
        }

        var (detB, dataB) = Fresh(cfg);
        using (detB)
        using (var trainer = new Trainer(detB, dataB, cfg, dirB))
        {
            Assert.Null(trainer.Run(stopAfterStep: 4));
            Assert.Equal(4, trainer.Progress.Step);
        }

        // a run killed after its checkpoint at step 4 had logged steps 5 and 6 and left a temporary checkpoint
        File.AppendAllText(Path.Combine(dirB, "log.jsonl"), "{\"type\":\"train\",\"step\":5}\n{\"type\":\"train\",\"step\":6}\n{\"type\":\"tr");
        var orphan = Path.Combine(dirB, $".checkpoint.pth.999999.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(orphan, "partial");

        // a new process would start from a different RNG state: scramble it before resuming
        torch.manual_seed(12345);
        var (detC, dataC) = Fresh(TinyData.With(cfg, ("runtime.seed", 999)));
        using (detC)
        using (var trainer = new Trainer(detC, dataB, cfg, dirB))
        {
            trainer.Resume();
            Assert.Equal(4, trainer.Progress.Step);
            trainer.Run();
            Assert.Equal(8, trainer.Progress.Step);
            var resumed = Weights(detC);
            Assert.Equal(straight.Keys, resumed.Keys);
            foreach (var (k, v) in straight)
            {
                if (tolerance == 0) Assert.True(v.AsSpan().SequenceEqual(resumed[k]), $"{k} differs after resume");
                else for (int i = 0; i < v.Length; i++)
                    Assert.True(Math.Abs(v[i] - resumed[k][i]) <= tolerance * (1 + Math.Abs(v[i])), $"{k}[{i}]: {v[i]} vs {resumed[k][i]} after resume");
            }
        }
        Assert.True(File.Exists(Path.Combine(dirB, "log.jsonl")));
        Assert.False(File.Exists(orphan));
        var steps = File.ReadAllLines(Path.Combine(dirB, "log.jsonl"))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject())
            .Where(o => (string?)o["type"] == "train").Select(o => (long)o["step"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), steps);
        Assert.True(File.Exists(Path.Combine(dirB, "eval.json")));
    }
}
