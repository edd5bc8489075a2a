using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp inspect FILE [--json]`: a checkpoint's contents (PyTorch zip or legacy format), one line per tensor
/// (dotted key, dtype, shape, min, max and mean of its finite values, count of NaN/inf) and the other values.
/// JSON: {"tensors": [{"key", "shape", "dtype", "min", "max", "mean", "nonfinite"}], "values": {key: value}}.
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Checkpoint file written by torch.save (PyTorch or DetrSharp)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var cmd = new Command("inspect", HelpText.WithExamples("Print a checkpoint's tensors (shape, dtype, min, max, mean, NaN/inf count) and values",
            "detrsharp inspect runs/yolov10-shapes/checkpoint.pth", "detrsharp inspect detr-r50.pth --json")) { file, json };
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            CheckpointFormat format;
            using (var parsed = CheckpointFile.Open(path)) format = parsed.Format;
            using var scope = torch.NewDisposeScope();
            var root = torch.load(path);
            var tensors = new List<(string Key, Tensor Tensor, TensorStats Stats)>();
            var values = new List<(string Key, object? Value)>();
            foreach (var (key, value) in CheckpointTree.Leaves(root))
            {
                var k = key.Length == 0 ? "<root>" : key;
                if (value is Tensor t) tensors.Add((k, t, TensorStats.Of(t)));
                else values.Add((k, value));
            }
            if (parse.GetValue(json)) Console.WriteLine(Json(tensors, values));
            else PrintTable(path, format, tensors, values);
            return 0;
        });
        return cmd;
    }

    static string Json(List<(string Key, Tensor Tensor, TensorStats Stats)> tensors, List<(string Key, object? Value)> values)
    {
        var arr = new JsonArray();
        foreach (var (key, t, s) in tensors)
        {
            arr.Add(new JsonObject
            {
                ["key"] = key,
                ["shape"] = new JsonArray(t.shape.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                ["dtype"] = t.dtype.Name(),
                ["min"] = Number(s.Min),
                ["max"] = Number(s.Max),
                ["mean"] = Number(s.Mean),
                ["nonfinite"] = s.NonFinite,
            });
        }
        var vals = new JsonObject();
        foreach (var (key, v) in values) vals[key] = PickleJson.ToJson(v);
        var root = new JsonObject { ["tensors"] = arr, ["values"] = vals };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static JsonNode? Number(double? d) => d is { } x ? JsonValue.Create(x) : null;

    static void PrintTable(string path, CheckpointFormat format, List<(string Key, Tensor Tensor, TensorStats Stats)> tensors, List<(string Key, object? Value)> values)
    {
        long elements = tensors.Sum(t => t.Stats.Count);
        Console.WriteLine($"{path}: {format.ToString().ToLowerInvariant()} format, {tensors.Count} tensors, {elements:N0} elements, {values.Count} other values");
        if (tensors.Count > 0)
        {
            int w = Math.Min(80, tensors.Max(t => t.Key.Length));
            Console.WriteLine($"{"key".PadRight(w)}  {"dtype",-8}  {"shape",-18}  {"min",12}  {"max",12}  {"mean",12}  {"nan/inf",7}");
            foreach (var (key, t, s) in tensors)
            {
                var shape = "[" + string.Join(", ", t.shape) + "]";
                Console.WriteLine($"{key.PadRight(w)}  {t.dtype.Name(),-8}  {shape,-18}  {F(s.Min),12}  {F(s.Max),12}  {F(s.Mean),12}  {s.NonFinite,7}");
            }
        }
        foreach (var (key, v) in values) Console.WriteLine($"{key} = {PickleFormat.Repr(v)}");
    }

    static string F(double? d) => d is { } x ? x.ToString("G6", CultureInfo.InvariantCulture) : "-";
}
