using System.Globalization;
using System.Text.Json;
using DetrSharp.Data.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DetrSharp.Onnx;

/// <summary>
/// A detector exported by `detrsharp export --format onnx`, run by ONNX Runtime without libtorch: images are
/// letterboxed into the model's fixed input (<see cref="Letterbox"/>; DETR and DINO: resized to it, <see cref="StretchResize"/>),
/// the graph runs (batched when the model's batch dimension is dynamic), and the outputs are decoded as the family's
/// libtorch predictor does (YOLOv10, DETR and DINO: the graph's top-k or per-query selection; YOLOv8: <see cref="PlainNms"/>, or the graph's NonMaxSuppression
/// when exported with `--nms`),
/// boxes scaled back to each image's pixels (YOLO's clipped to it, DETR's and DINO's as their PostProcess leaves them).
/// </summary>
public sealed class OnnxDetector : IDisposable
{
    readonly InferenceSession _session;

    OnnxDetector(InferenceSession session, string path)
    {
        _session = session;
        var meta = session.ModelMetadata.CustomMetadataMap;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: no '{key}' in the model's metadata: not exported by `detrsharp export`");
        Family = Get(OnnxMetadataKeys.Family);
        if (Family is not ("yolov8" or "yolov10" or "detr" or "dino"))
            throw new NotSupportedException($"{path}: the ONNX engine runs yolov8, yolov10, detr and dino models, this one is '{Family}'");
        ClassNames = JsonSerializer.Deserialize<string[]>(Get(OnnxMetadataKeys.ClassNames))
            ?? throw new InvalidDataException($"{path}: the class names in the metadata are not a JSON array of strings");
        InputName = Get(OnnxMetadataKeys.Input);
        var size = Get(OnnxMetadataKeys.InputSize).Split(',');
        InputHeight = int.Parse(size[0], CultureInfo.InvariantCulture);
        InputWidth = int.Parse(size[1], CultureInfo.InvariantCulture);
        ConfThreshold = double.Parse(Get(OnnxMetadataKeys.ConfThreshold), CultureInfo.InvariantCulture);
        IouThreshold = double.Parse(Get(OnnxMetadataKeys.IouThreshold), CultureInfo.InvariantCulture);
        MaxDet = int.Parse(Get(OnnxMetadataKeys.MaxDet), CultureInfo.InvariantCulture);
        Agnostic = Get(OnnxMetadataKeys.Agnostic) == "true";
        NmsInGraph = meta.TryGetValue(OnnxMetadataKeys.Nms, out var nms) && nms == "graph";
        DynamicBatch = session.InputMetadata[InputName].Dimensions[0] < 0;
        Resize = meta.TryGetValue(OnnxMetadataKeys.Resize, out var resize) ? resize : OnnxResize.Letterbox;
        if (Resize is not (OnnxResize.Letterbox or OnnxResize.Stretch))
            throw new InvalidDataException($"{path}: unknown resize '{Resize}' in the model's metadata ({OnnxMetadataKeys.Resize})");
    }

    /// <summary>Opens an exported model.</summary>
    /// <param name="path">the .onnx file</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (0: its default)</param>
    public static OnnxDetector Load(string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model '{path}' does not exist", path);
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) { options.IntraOpNumThreads = threads; options.InterOpNumThreads = 1; }
        InferenceSession session;
        try { session = new InferenceSession(path, options); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"{path}: ONNX Runtime cannot load the model: {e.Message}", e); }
        finally { options.Dispose(); }
        try { return new OnnxDetector(session, path); }
        catch { session.Dispose(); throw; }
    }

    public string Family { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public string InputName { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }
    /// <summary>The run's score threshold (model.conf_threshold); a caller's higher threshold wins.</summary>
    public double ConfThreshold { get; }
    public double IouThreshold { get; }
    public int MaxDet { get; }
    public bool Agnostic { get; }
    /// <summary>YOLOv8 exported with `--nms`: the graph's NonMaxSuppression selects the detections (<see cref="GraphNmsRows"/>).</summary>
    public bool NmsInGraph { get; }
    /// <summary>Whether several images run as one batch.</summary>
    public bool DynamicBatch { get; }
    /// <summary>How images are fitted into the input (<see cref="OnnxResize"/>).</summary>
    public string Resize { get; }

    /// <summary>Detections on one image file.</summary>
    public IReadOnlyList<OnnxDetection> Detect(string imagePath, float scoreThreshold = 0f) => Detect(ImageCodec.Decode(imagePath), scoreThreshold);

    /// <summary>Detections on one image, in its pixels, highest score first.</summary>
    public IReadOnlyList<OnnxDetection> Detect(RgbImage image, float scoreThreshold = 0f) => Detect([image], scoreThreshold)[0];

    /// <summary>Detections on each image (one run per batch when the batch is dynamic, per image otherwise).</summary>
    public IReadOnlyList<IReadOnlyList<OnnxDetection>> Detect(IReadOnlyList<RgbImage> images, float scoreThreshold = 0f)
    {
        var result = new List<IReadOnlyList<OnnxDetection>>(images.Count);
        int step = DynamicBatch ? Math.Max(1, images.Count) : 1;
        for (int start = 0; start < images.Count; start += step)
        {
            var chunk = images.Skip(start).Take(step).ToArray();
            result.AddRange(RunBatch(chunk, Math.Max(scoreThreshold, (float)ConfThreshold)));
        }
        return result;
    }

    /// <summary>The graph's raw outputs for a batch of letterboxed inputs [B, 3, H, W] (for parity checks and benches).</summary>
    public IReadOnlyDictionary<string, (float[] Values, int[] Shape)> Run(float[] input, int batch)
    {
        var tensor = new DenseTensor<float>(input, [batch, 3, InputHeight, InputWidth]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, tensor)]);
        var outputs = new Dictionary<string, (float[], int[])>();
        foreach (var r in results)
        {
            if (r.Value is DenseTensor<float> f) outputs[r.Name] = (f.ToArray(), f.Dimensions.ToArray());
            else if (r.Value is DenseTensor<long> l) outputs[r.Name] = (l.ToArray().Select(v => (float)v).ToArray(), l.Dimensions.ToArray());
        }
        return outputs;
    }

    IEnumerable<IReadOnlyList<OnnxDetection>> RunBatch(RgbImage[] images, float conf)
    {
        int plane = 3 * InputHeight * InputWidth;
        var input = new float[images.Length * plane];
        var scales = new double[images.Length];
        for (int i = 0; i < images.Length; i++)
        {
            var chw = input.AsSpan(i * plane, plane);
            if (Resize == OnnxResize.Stretch) StretchResize.Fill(images[i], InputHeight, InputWidth, chw);
            else scales[i] = Letterbox.Fill(images[i], InputHeight, InputWidth, chw);
        }
        var outputs = Run(input, images.Length);
        for (int i = 0; i < images.Length; i++)
        {
            // DETR and DINO: boxes normalised to the input, i.e. to the image itself (stretched), unclipped as DETR's PostProcess
            if (Family is "detr" or "dino") { yield return ToImage(TopK(outputs, i, conf), images[i], images[i].Width, images[i].Height, conf, clip: false); continue; }
            var rows = Family == "yolov10" ? TopK(outputs, i, conf)
                : NmsInGraph ? GraphNmsRows.Image(outputs["detections"].Values, i, MaxDet) : Nms(outputs, i, conf);
            yield return ToImage(rows, images[i], 1 / scales[i], 1 / scales[i], conf, clip: true);
        }
    }

    // YOLOv10, DETR and DINO: the graph's selection, as is
    static IEnumerable<(float, float, float, float, float, int)> TopK(IReadOnlyDictionary<string, (float[] Values, int[] Shape)> o, int i, float conf)
    {
        var (boxes, bShape) = o["boxes"];
        var scores = o["scores"].Values;
        var labels = o["labels"].Values;
        int k = bShape[1];
        for (int j = 0; j < k; j++)
        {
            int r = i * k + j;
            yield return (boxes[4 * r], boxes[4 * r + 1], boxes[4 * r + 2], boxes[4 * r + 3], scores[r], (int)labels[r]);
        }
    }

    // YOLOv8: NMS on the decoded output
    IEnumerable<(float, float, float, float, float, int)> Nms(IReadOnlyDictionary<string, (float[] Values, int[] Shape)> o, int i, float conf)
    {
        var (values, shape) = o["output0"];
        int per = shape[1] * shape[2];
        return PlainNms.Apply(values.AsSpan(i * per, per), shape[2], shape[1] - 4, conf, (float)IouThreshold, MaxDet, Agnostic)
            .Select(d => (d.X1, d.Y1, d.X2, d.Y2, d.Score, d.Label));
    }

    // rows in the model's box units times (sx, sy) are image pixels
    IReadOnlyList<OnnxDetection> ToImage(IEnumerable<(float X1, float Y1, float X2, float Y2, float Score, int Label)> rows, RgbImage image, double sx, double sy,
        float conf, bool clip)
    {
        float fx = (float)sx, fy = (float)sy, maxX = clip ? image.Width : float.PositiveInfinity, maxY = clip ? image.Height : float.PositiveInfinity;
        float minV = clip ? 0 : float.NegativeInfinity;
        return rows.Where(d => d.Score >= conf).Select(d => new OnnxDetection(
            Math.Clamp(d.X1 * fx, minV, maxX), Math.Clamp(d.Y1 * fy, minV, maxY), Math.Clamp(d.X2 * fx, minV, maxX), Math.Clamp(d.Y2 * fy, minV, maxY),
            d.Score, d.Label, d.Label >= 0 && d.Label < ClassNames.Count ? ClassNames[d.Label] : d.Label.ToString(CultureInfo.InvariantCulture))).ToList();
    }

    public void Dispose() => _session.Dispose();
}
