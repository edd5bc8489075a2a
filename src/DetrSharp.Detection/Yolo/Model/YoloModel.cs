using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// A YOLOv8 / YOLOv10 detection model as ultralytics DetectionModel: the parsed layers under "model"
/// (state-dict keys model.&lt;i&gt;.…), strides found by a forward of a zero image, then the head's
/// bias_init. Training mode returns the raw per-level maps; eval mode also the decoded boxes.
/// </summary>
public sealed class YoloModel : nn.Module<Tensor, YoloOutput>
{
    readonly ModuleList<nn.Module> _model;
    readonly IReadOnlyList<YoloLayer> _layers;
    readonly HashSet<int> _save;

    YoloModel(YoloConfig config, List<YoloLayer> layers) : base("DetectionModel")
    {
        Config = config;
        _layers = layers;
        _model = register_module("model", new ModuleList<nn.Module>(layers.Select(l => l.Module)));
        Head = layers[^1].Module as Detect
            ?? throw new NotSupportedException($"YOLO model: the last layer must be Detect or v10Detect, got {layers[^1].Type}");
        _save = new HashSet<int>(layers.SelectMany(l => l.From.Where(f => f != -1).Select(f => f < 0 ? f + l.Index : f)));
    }

    /// <summary>Builds a shipped model by name (yolov8n..x, yolov10n/s/m/b/l/x) for <paramref name="nc"/> classes.</summary>
    public static YoloModel Build(string name, long nc) => Build(YoloConfig.BuiltIn(name), nc);

    /// <summary>Builds a model from a parsed definition for <paramref name="nc"/> classes (the YAML's nc when 0).</summary>
    public static YoloModel Build(YoloConfig config, long nc = 0, long ch = 3)
    {
        if (nc <= 0) nc = config.Nc;
        if (nc <= 0) throw new ArgumentException("YOLO model: number of classes not given and not in the YAML", nameof(nc));
        var model = new YoloModel(config, YoloParseModel.Build(config, nc, ch));
        model.InitStrides(ch);
        return model;
    }

    /// <summary>
    /// Builds the model an ultralytics checkpoint was trained as (its yaml_file and scale, its nc) and loads its
    /// weights strictly; <paramref name="name"/> overrides the model name when the file does not record one.
    /// </summary>
    public static YoloModel FromUltralytics(UltralyticsCheckpoint checkpoint, string? name = null)
    {
        var modelName = name ?? checkpoint.ModelName
            ?? throw new ArgumentException($"the checkpoint names no known model (yaml_file '{checkpoint.YamlFile}', scale '{checkpoint.Scale}'); pass the name", nameof(name));
        var model = Build(modelName, checkpoint.Nc);
        try
        {
            checkpoint.LoadInto(model, strict: true);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The definition the model was built from.</summary>
    public YoloConfig Config { get; }
    /// <summary>The detection head (Detect or V10Detect).</summary>
    public Detect Head { get; }
    /// <summary>The built layers in order.</summary>
    public IReadOnlyList<YoloLayer> Layers => _layers;
    /// <summary>Stride of each output level in input pixels (8, 16, 32 for P3-P5).</summary>
    public IReadOnlyList<double> Strides => Head.Stride;
    public long NumClasses => Head.Nc;
    public long RegMax => Head.RegMax;
    /// <summary>True for YOLOv10 (one-to-one head, NMS-free decoding).</summary>
    public bool IsEndToEnd => Head is V10Detect;

    /// <summary>
    /// As DetectionModel.__init__: a training-mode forward of a zero image gives the strides (input size over
    /// each level's size); then bias_init; then initialize_weights' BatchNorm momentum 0.03. The reference
    /// forwards 256×256; 64×64 gives the same strides and, the image being zeros, the same side effect on
    /// the BatchNorms, which count it in their running stats at PyTorch's default momentum 0.1 (running_var
    /// 0.9, num_batches_tracked 1), at a sixteenth of the cost.
    /// </summary>
    void InitStrides(long ch)
    {
        const long s = 64;
        var norms = modules().OfType<BatchNorm2d>().ToList();
        foreach (var bn in norms) bn.momentum = 0.1;
        using (torch.no_grad())
        using (var zeros = torch.zeros(new[] { 1L, ch, s, s }))
        using (var output = Run(zeros))
        {
            var feats = output.One2Many.Feats;
            for (int i = 0; i < feats.Count; i++) Head.Stride[i] = (double)s / feats[i].shape[2];
        }
        foreach (var bn in norms) bn.momentum = Conv.BnMomentum;
        Head.BiasInit();
    }

    /// <param name="input">images [B, ch, H, W], H and W multiples of the largest stride</param>
    public override YoloOutput forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"YOLO model: images must be [B, C, H, W], got [{string.Join(", ", input.shape)}]", nameof(input));
        double maxStride = Strides.Max();
        if (input.shape[2] % maxStride != 0 || input.shape[3] % maxStride != 0)
            throw new ArgumentException($"YOLO model: image size {input.shape[2]}x{input.shape[3]} must be a multiple of the largest stride {maxStride}", nameof(input));
        return Run(input);
    }

    // layer 0's convolution weight (looked up per call: module.to(memory_format) replaces parameters)
    Tensor? _firstConvWeight => _layers[0].Module.parameters().FirstOrDefault(p => p.dim() == 4);

    /// <summary>ultralytics BaseModel._predict_once: each layer reads the previous output or saved ones.</summary>
    YoloOutput Run(Tensor input)
    {
        var outputs = new Tensor?[_layers.Count];
        // a model built channels_last (runtime.channels_last) takes its images in that layout too
        using var entry = _firstConvWeight is { } w ? input.to_layout_of(w) : null;
        Tensor x = entry ?? input;                                   // [B, ch, H, W]
        try
        {
            for (int i = 0; i < _layers.Count; i++)
            {
                var layer = _layers[i];
                Tensor Source(int f) => f == -1 ? x : outputs[f < 0 ? f + i : f]!;
                if (layer.Module is Detect head)
                    return head.forward(layer.From.Select(Source).ToArray());
                Tensor y = layer.Module switch
                {
                    Concat c => c.forward(layer.From.Select(Source).ToArray()),
                    nn.Module<Tensor, Tensor> m => m.forward(Source(layer.From[0])),
                    _ => throw new NotSupportedException($"YOLO layer {i}: {layer.Type} cannot run"),
                };
                // The previous output is only this layer's input unless saved for later layers.
                if (i > 0 && !_save.Contains(i - 1)) { outputs[i - 1]?.Dispose(); outputs[i - 1] = null; }
                outputs[i] = y;
                x = y;
            }
            throw new InvalidOperationException("YOLO model: no head layer");
        }
        finally
        {
            foreach (var t in outputs) t?.Dispose();
        }
    }
}
