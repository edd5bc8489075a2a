using System.Globalization;
using DetrSharp.Onnx;
using DetrSharp.Training;

// DetectImage: detections on images with either engine of the DetrSharp packages.
//   DetectImage torch CHECKPOINT IMAGE... [--threshold T]   libtorch: a checkpoint of `detrsharp train` (TrainedDetector)
//   DetectImage onnx MODEL IMAGE... [--threshold T]         ONNX Runtime: a model of `detrsharp export --format onnx`
// Each prints one line per detection, then checks which native libraries the process mapped (/proc/self/maps): the
// ONNX engine must not have loaded libtorch (exit 3 if it did); the libtorch engine must have loaded the package's
// native shim, the copy in this application's runtimes/linux-x64/native/ (exit 3 otherwise).

var positional = new List<string>();
float threshold = 0.25f;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--threshold" && i + 1 < args.Length) threshold = float.Parse(args[++i], CultureInfo.InvariantCulture);
    else positional.Add(args[i]);
}
if (positional.Count < 3 || positional[0] is not ("torch" or "onnx"))
{
    Console.Error.WriteLine("usage: DetectImage torch CHECKPOINT IMAGE... | DetectImage onnx MODEL IMAGE...  [--threshold T]");
    return 2;
}
var images = positional.Skip(2).ToList();
int count = positional[0] == "torch" ? Engines.Torch(positional[1], images, threshold) : Engines.Onnx(positional[1], images, threshold);
Console.WriteLine($"{positional[0]}: {count} detections on {images.Count} images");
return NativeLibraries.Check(positional[0]) ? 0 : 3;

static class Engines
{
    public static int Torch(string checkpoint, IReadOnlyList<string> images, float threshold)
    {
        using var trained = TrainedDetector.Load(checkpoint);
        int count = 0;
        foreach (var image in images)
        {
            var d = trained.Predict(image, threshold);
            for (int i = 0; i < d.Count; i++)
                Print(image, trained.ClassNames[d.Labels[i]], d.Scores[i], d.BoxesXyxy.AsSpan(4 * i, 4));
            count += d.Count;
        }
        return count;
    }

    public static int Onnx(string model, IReadOnlyList<string> images, float threshold)
    {
        using var detector = OnnxDetector.Load(model);
        Console.WriteLine($"{model}: {detector.Family}, input {detector.InputHeight}x{detector.InputWidth}, NMS {(detector.Family == "yolov10" ? "none (top-k)" : detector.NmsInGraph ? "in the graph" : "in C#")}");
        int count = 0;
        var results = detector.Detect(images.Select(p => DetrSharp.Data.Imaging.ImageCodec.Decode(p)).ToList(), threshold);
        for (int k = 0; k < images.Count; k++)
        {
            foreach (var d in results[k]) Print(images[k], d.ClassName, d.Score, [d.X1, d.Y1, d.X2, d.Y2]);
            count += results[k].Count;
        }
        return count;
    }

    static void Print(string image, string name, float score, ReadOnlySpan<float> box)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(image)} {name} {score:F4} {box[0]:F1} {box[1]:F1} {box[2]:F1} {box[3]:F1}"));
}

static class NativeLibraries
{
    /// <summary>The native libraries this process has mapped, from /proc/self/maps, against what the engine may load.</summary>
    public static bool Check(string engine)
    {
        var mapped = File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].Contains(".so")).Select(f => f[5]).Distinct().ToList();
        bool Has(string name) => mapped.Any(p => Path.GetFileName(p).StartsWith(name, StringComparison.Ordinal));
        var torchLibs = mapped.Where(p => Path.GetFileName(p) is var f && (f.StartsWith("libtorch", StringComparison.Ordinal)
            || f.StartsWith("libc10", StringComparison.Ordinal) || f.StartsWith("libdetrsharp_native", StringComparison.Ordinal))).ToList();
        if (engine == "onnx")
        {
            bool ok = Has("libonnxruntime") && torchLibs.Count == 0;
            Console.WriteLine(ok ? "native libraries: libonnxruntime loaded, no libtorch"
                : $"native libraries: FAIL: onnxruntime {(Has("libonnxruntime") ? "loaded" : "not loaded")}, libtorch libraries loaded: {string.Join(", ", torchLibs)}");
            return ok;
        }
        var shim = mapped.FirstOrDefault(p => Path.GetFileName(p) == "libdetrsharp_native.so");
        var packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libdetrsharp_native.so");
        bool fromPackage = shim != null && Path.GetFullPath(shim) == Path.GetFullPath(packaged);
        bool torch = Has("libtorch_cpu");
        Console.WriteLine(fromPackage && torch ? $"native libraries: the package's shim ({shim}) and libtorch"
            : $"native libraries: FAIL: shim {shim ?? "not loaded"} (expected {packaged}), libtorch {(torch ? "loaded" : "not loaded")}");
        return fromPackage && torch;
    }
}
