using System.Diagnostics;
using System.Text.Json.Nodes;
using DetrSharp.Data.Synthetic;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// The ONNX path end to end through the command: a tiny YOLOv10 trained for two steps, `export --format onnx`, then
/// `predict --engine onnx` gives the libtorch `predict`'s detections, `eval --engine onnx` its COCO stats, and a
/// `predict --engine onnx` process never loads libtorch (the dynamic loader's log names no libtorch library).
/// </summary>
public sealed class OnnxEngineTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "detrsharp-onnx-cli-" + Guid.NewGuid().ToString("N")[..8]);
    string Data => Path.Combine(_root, "data");
    string Run => Path.Combine(_root, "run");
    string Model => Path.Combine(_root, "model.onnx");

    public OnnxEngineTests()
    {
        SyntheticShapes.Generate(Data, new SyntheticShapesOptions { TrainImages = 8, ValImages = 4, ImageSize = 64, Seed = 3, MaxObjects = 2 });
        var train = CliRun.Run("train", "--model", "yolov10", "--data", Data, "--out", Run, "--max-steps", "2", "--time-limit", "0", "--epochs", "1",
            "--set", "data.val_size=64", "data.max_size=64", "data.batch_size=4", "eval.every=0", "runtime.seed=5", "model.conf_threshold=0");
        Assert.True(train.ExitCode == 0, train.ToString());
        var export = CliRun.Run("export", "--checkpoint", Path.Combine(Run, "checkpoint.pth"), "--format", "onnx", "--out", Model, "--dynamic-batch");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("input images [batch, 3, 64, 64]", export.Out);
    }

    [Fact]
    public void PredictAndEvalGiveTheLibtorchResults() => AssertEnginesAgree(_root, Data, Run, Model);

    /// <summary>`predict` and `eval` with --engine onnx on <paramref name="model"/> give what they give on the run's checkpoint with libtorch.</summary>
    internal static void AssertEnginesAgree(string root, string data, string run, string model)
    {
        var val = SyntheticShapes.ImageDirectory(data, "val");
        string torchOut = Path.Combine(root, "torch"), onnxOut = Path.Combine(root, "onnx");
        var t = CliRun.Run("predict", val, "--checkpoint", Path.Combine(run, "checkpoint.pth"), "--out", torchOut, "--threshold", "0.0001");
        var o = CliRun.Run("predict", val, "--engine", "onnx", "--model", model, "--out", onnxOut, "--threshold", "0.0001");
        Assert.True(t.ExitCode == 0 && o.ExitCode == 0, t + "\n" + o);
        int total = 0;
        foreach (var file in Directory.GetFiles(torchOut, "*.pred.json"))
        {
            var td = Detections(file);
            var od = Detections(Path.Combine(onnxOut, Path.GetFileName(file)));
            Assert.Equal(td.Count, od.Count);
            // JSON rounds scores to 4 and boxes to 2 decimals; compare as sets (near-equal scores may swap places)
            foreach (var d in td) Assert.Contains(od, e => e.Label == d.Label && Math.Abs(e.Score - d.Score) <= 2e-4 && e.Box.Zip(d.Box).All(p => Math.Abs(p.First - p.Second) <= 0.02 + 1e-4 * Math.Abs(p.First)));
            total += td.Count;
        }
        Assert.True(total > 0, "no detections to compare");

        string tj = Path.Combine(root, "torch.json"), oj = Path.Combine(root, "onnx.json");
        var te = CliRun.Run("eval", "--checkpoint", Path.Combine(run, "checkpoint.pth"), "--data", data, "--json", tj);
        var oe = CliRun.Run("eval", "--engine", "onnx", "--model", model, "--data", data, "--json", oj);
        Assert.True(te.ExitCode == 0 && oe.ExitCode == 0, te + "\n" + oe);
        var ts = JsonNode.Parse(File.ReadAllText(tj))!.AsObject();
        var os = JsonNode.Parse(File.ReadAllText(oj))!.AsObject();
        // the metrics (eval.json also records what ran, e.g. "precision")
        foreach (var (k, v) in ts.Where(kv => kv.Value is JsonValue n && n.GetValueKind() == System.Text.Json.JsonValueKind.Number)) Assert.True(Math.Abs(v!.GetValue<double>() - os[k]!.GetValue<double>()) <= 1e-3, $"{k}: libtorch {v}, onnx {os[k]}");
    }

    [Fact]
    public void TheOnnxEngineNeverLoadsLibtorch()
    {
        var image = Directory.GetFiles(SyntheticShapes.ImageDirectory(Data, "val"))[0];
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in new[] { "predict", image, "--engine", "onnx", "--model", Model, "--out", Path.Combine(_root, "child") }) psi.ArgumentList.Add(a);
        psi.Environment["LD_DEBUG"] = "libs";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var log = err.Result;
        Assert.True(p.ExitCode == 0, output + log);
        var loaded = log.Split('\n').Where(l => l.Contains("calling init:")).ToList();
        Assert.Contains(loaded, l => l.Contains("libonnxruntime"));   // the log does list what is loaded
        Assert.DoesNotContain(loaded, l => l.Contains("libtorch") || l.Contains("libc10") || l.Contains("detrsharp_native"));
    }

    static List<(string Label, double Score, double[] Box)> Detections(string path)
        => JsonNode.Parse(File.ReadAllText(path))!["detections"]!.AsArray()
            .Select(d => (d!["label"]!.GetValue<string>(), d["score"]!.GetValue<double>(), d["box_xyxy"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray())).ToList();

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
