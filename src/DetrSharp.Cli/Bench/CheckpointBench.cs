using System.Text.Json;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `bench checkpoint`: torch.save and torch.load of a 41.5M-parameter float32 state dict shaped like DETR-R50's
/// (keys and shapes from tests/fixtures/detr/detr_r50_state_dict_keys.json), through the page cache of a temp
/// folder. Cases load_detr_r50 and save_detr_r50 report MB/s and Python's time for the same file
/// (PyTorch 1.13: load 17.5 ms, save 178 ms).
/// </summary>
public sealed class CheckpointBench : IBenchSuite
{
    const string KeysFixture = "tests/fixtures/detr/detr_r50_state_dict_keys.json";
    const double PythonLoadMs = 17.5, PythonSaveMs = 178;

    public string Name => "checkpoint";
    public string Description => "torch.save / torch.load of a DETR-R50-shaped state dict (166 MB)";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 10;
        int warmup = options.Warmup > 0 ? options.Warmup : 2;
        var shapes = DetrR50Shapes();
        torch.manual_seed(0);
        var stateDict = new OrderedDictionary<string, Tensor>();
        foreach (var (key, shape) in shapes)
            stateDict[key] = torch.randn(shape).DetachFromDisposeScope();
        long parameters = stateDict.Values.Sum(t => t.numel());

        var dir = Directory.CreateTempSubdirectory("detrsharp-bench-").FullName;
        var path = Path.Combine(dir, "detr_r50.pth");
        try
        {
            var saveTimes = BenchTimer.Measure(() => torch.save(stateDict, path), warmup, runs);
            double mb = new FileInfo(path).Length / 1e6;

            // Check once that what was written loads back equal, then time the loads.
            var loaded = (PickleDict)torch.load(path)!;
            foreach (var (key, t) in stateDict)
            {
                var back = (Tensor)loaded[key]!;
                if (!back.shape.SequenceEqual(t.shape) || !back.data<float>().AsSpan().SequenceEqual(t.data<float>()))
                    throw new InvalidOperationException($"bench checkpoint: '{key}' did not load back equal");
            }
            CheckpointTree.DisposeTensors(loaded);
            var loadTimes = BenchTimer.Measure(() => CheckpointTree.DisposeTensors(torch.load(path)), warmup, runs);

            yield return Result("load_detr_r50", loadTimes, mb, parameters, PythonLoadMs);
            yield return Result("save_detr_r50", saveTimes, mb, parameters, PythonSaveMs);
        }
        finally
        {
            foreach (var t in stateDict.Values) t.Dispose();
            Directory.Delete(dir, true);
        }
    }

    static BenchResult Result(string name, List<double> times, double mb, long parameters, double pythonMs)
    {
        var r = new BenchResult { Case = name, RunsMs = times };
        r.Extra["mb"] = Math.Round(mb, 1);
        r.Extra["parameters"] = parameters;
        r.Extra["mb_per_s"] = Math.Round(mb / (r.MedianMs / 1000), 1);
        r.Extra["python_ms"] = pythonMs;
        r.Extra["speedup_vs_python"] = Math.Round(pythonMs / r.MedianMs, 2);
        return r;
    }

    /// <summary>DETR-R50's state-dict keys and shapes, in order, from the fixture file.</summary>
    static List<(string Key, long[] Shape)> DetrR50Shapes()
    {
        var file = FindUp(KeysFixture)
            ?? throw new FileNotFoundException($"bench checkpoint needs {KeysFixture}; run it from the repository (looked above {Environment.CurrentDirectory} and {AppContext.BaseDirectory})");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var detr = doc.RootElement.GetProperty("expected").GetProperty("detr_r50");
        var shapes = detr.GetProperty("shapes");
        return detr.GetProperty("keys").EnumerateArray()
            .Select(k => k.GetString()!)
            .Select(k => (k, shapes.GetProperty(k).EnumerateArray().Select(x => x.GetInt64()).ToArray()))
            .ToList();
    }

    static string? FindUp(string relative)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
