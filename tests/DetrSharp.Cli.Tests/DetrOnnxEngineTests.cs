using DetrSharp.Data.Synthetic;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// DETR through the ONNX commands: the default DETR trained for two steps on 64 px synthetic images, `export --format
/// onnx --dynamic-batch`, then `predict --engine onnx` and `eval --engine onnx` give the libtorch commands' detections and
/// COCO stats (per-query post-processing, so no near-tied (query, class) pairs at a top-k cut-off can swap).
/// </summary>
public sealed class DetrOnnxEngineTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-onnx-detr-cli-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void ExportPredictAndEvalGiveTheLibtorchResults()
    {
        string data = Path.Combine(_root, "data"), run = Path.Combine(_root, "run"), model = Path.Combine(_root, "detr.onnx");
        SyntheticShapes.Generate(data, new SyntheticShapesOptions { TrainImages = 8, ValImages = 4, ImageSize = 64, Seed = 3, MaxObjects = 2 });
        var train = CliRun.Run("train", "--model", "detr", "--data", data, "--out", run, "--max-steps", "2", "--time-limit", "0", "--epochs", "1",
            "--set", "data.val_size=64", "data.max_size=64", "data.batch_size=4", "eval.every=0", "runtime.seed=5", "model.topk_detections=0",
            "runtime.precision=fp32");   // libtorch in float32 as ONNX Runtime (auto is bf16 on CPUs with avx512_bf16)
        Assert.True(train.ExitCode == 0, train.ToString());
        var export = CliRun.Run("export", "--checkpoint", Path.Combine(run, "checkpoint.pth"), "--format", "onnx", "--out", model, "--dynamic-batch");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("detr, opset 17, input images [batch, 3, 64, 64]", export.Out);
        OnnxEngineTests.AssertEnginesAgree(_root, data, run, model);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
