using System.Text.Json.Nodes;
using DetrSharp.Data.Synthetic;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// DINO through the commands: a small DINO (1 encoder and 2 decoder layers, 20 queries, 64 px) trained for two steps,
/// `export --format onnx` (opset 16, batch 1), then `predict --engine onnx` gives the libtorch `predict`'s detections and
/// `eval --engine onnx` its COCO stats. The run computes in float32 (runtime.precision auto would be bf16 on a CPU with
/// avx512_bf16, which the float32 graph is not meant to equal).
/// </summary>
public sealed class DinoOnnxEngineTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-dino-onnx-cli-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void PredictAndEvalGiveTheLibtorchResults()
    {
        string data = Path.Combine(_root, "data"), run = Path.Combine(_root, "run"), model = Path.Combine(_root, "dino.onnx");
        string checkpoint = Path.Combine(run, "checkpoint.pth");
        SyntheticShapes.Generate(data, new SyntheticShapesOptions { TrainImages = 4, ValImages = 3, ImageSize = 64, Seed = 4, MaxObjects = 2 });
        var train = CliRun.Run("train", "--model", "dino", "--data", data, "--out", run, "--max-steps", "2", "--time-limit", "0", "--epochs", "1",
            "--set", "data.val_size=64", "data.max_size=64", "data.batch_size=2", "eval.every=0", "runtime.seed=5", "runtime.precision=fp32",
            "model.enc_layers=1", "model.dec_layers=2", "model.dim_feedforward=64", "model.num_queries=20", "model.dn_number=2", "model.num_select=30");
        Assert.True(train.ExitCode == 0, train.ToString());
        var export = CliRun.Run("export", "--checkpoint", checkpoint, "--format", "onnx", "--out", model, "--opset", "16");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("dino, opset 16, input images [1, 3, 64, 64]", export.Out);

        var val = SyntheticShapes.ImageDirectory(data, "val");
        string torchOut = Path.Combine(_root, "torch"), onnxOut = Path.Combine(_root, "onnx");
        var t = CliRun.Run("predict", val, "--checkpoint", checkpoint, "--out", torchOut, "--threshold", "0.0001");
        var o = CliRun.Run("predict", val, "--engine", "onnx", "--model", model, "--out", onnxOut, "--threshold", "0.0001");
        Assert.True(t.ExitCode == 0 && o.ExitCode == 0, t + "\n" + o);
        int total = 0;
        foreach (var file in Directory.GetFiles(torchOut, "*.pred.json"))
        {
            var td = Detections(file);
            var od = Detections(Path.Combine(onnxOut, Path.GetFileName(file)));
            Assert.Equal(td.Count, od.Count);
            // JSON rounds scores to 4 and boxes to 2 decimals; compare as sets (near-equal scores may swap places)
            foreach (var d in td) Assert.Contains(od, e => e.Label == d.Label && Math.Abs(e.Score - d.Score) <= 2e-4 && e.Box.Zip(d.Box).All(p => Math.Abs(p.First - p.Second) <= 0.02));
            total += td.Count;
        }
        Assert.True(total > 0, "no detections to compare");

        string tj = Path.Combine(_root, "torch.json"), oj = Path.Combine(_root, "onnx.json");
        var te = CliRun.Run("eval", "--checkpoint", checkpoint, "--data", data, "--json", tj);
        var oe = CliRun.Run("eval", "--engine", "onnx", "--model", model, "--data", data, "--json", oj);
        Assert.True(te.ExitCode == 0 && oe.ExitCode == 0, te + "\n" + oe);
        var ts = JsonNode.Parse(File.ReadAllText(tj))!.AsObject();
        var os = JsonNode.Parse(File.ReadAllText(oj))!.AsObject();
        foreach (var (k, v) in ts.Where(kv => kv.Value is JsonValue n && n.GetValueKind() == System.Text.Json.JsonValueKind.Number))
            Assert.True(Math.Abs(v!.GetValue<double>() - os[k]!.GetValue<double>()) <= 1e-3, $"{k}: libtorch {v}, onnx {os[k]}");
    }

    static List<(string Label, double Score, double[] Box)> Detections(string path)
        => JsonNode.Parse(File.ReadAllText(path))!["detections"]!.AsArray()
            .Select(d => (d!["label"]!.GetValue<string>(), d["score"]!.GetValue<double>(), d["box_xyxy"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray())).ToList();

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
