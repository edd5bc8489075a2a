using DetrSharp.Data.Synthetic;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// DINO through the ONNX commands: a small DINO (1 encoder and 2 decoder layers, feed-forward 64, 20 queries) trained for
/// two steps on 64 px synthetic images, `export --format onnx --opset 16` (batch 1), then `predict --engine onnx` and
/// `eval --engine onnx` give the libtorch commands' detections and COCO stats.
/// </summary>
public sealed class DinoOnnxEngineTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-onnx-dino-cli-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void ExportPredictAndEvalGiveTheLibtorchResults()
    {
        string data = Path.Combine(_root, "data"), run = Path.Combine(_root, "run"), model = Path.Combine(_root, "dino.onnx");
        SyntheticShapes.Generate(data, new SyntheticShapesOptions { TrainImages = 4, ValImages = 3, ImageSize = 64, Seed = 4, MaxObjects = 2 });
        var train = CliRun.Run("train", "--model", "dino", "--data", data, "--out", run, "--max-steps", "2", "--time-limit", "0", "--epochs", "1",
            "--set", "data.val_size=64", "data.max_size=64", "data.batch_size=2", "eval.every=0", "runtime.seed=5",
            "model.enc_layers=1", "model.dec_layers=2", "model.dim_feedforward=64", "model.num_queries=20", "model.dn_number=2", "model.num_select=30",
            "runtime.precision=fp32");   // libtorch in float32 as ONNX Runtime (auto is bf16 on CPUs with avx512_bf16)
        Assert.True(train.ExitCode == 0, train.ToString());
        var export = CliRun.Run("export", "--checkpoint", Path.Combine(run, "checkpoint.pth"), "--format", "onnx", "--out", model, "--opset", "16");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("dino, opset 16, input images [1, 3, 64, 64]", export.Out);
        OnnxEngineTests.AssertEnginesAgree(_root, data, run, model);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
