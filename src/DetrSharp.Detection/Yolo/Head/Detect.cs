using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics Detect (YOLOv8 head): per level a box branch cv2 (Conv, Conv, 1×1 to 4·reg_max) and a
/// class branch cv3 (Conv, Conv, 1×1 to nc); DFL decodes the box distributions. Training returns the raw
/// maps; eval also the decoded [B, 4 + nc, A] in input pixels (Detect._inference).
/// </summary>
public class Detect : nn.Module<IReadOnlyList<Tensor>, YoloOutput>
{
    /// <summary>DFL bins per box side.</summary>
    public const int DefaultRegMax = 16;

    readonly ModuleList<Sequential> _cv2;
    ModuleList<Sequential> _cv3;
    readonly DFL _dfl;

    /// <param name="nc">Number of classes.</param>
    /// <param name="ch">Input channels of each level.</param>
    public Detect(long nc, IReadOnlyList<long> ch) : this(nameof(Detect), nc, ch) { }

    protected Detect(string name, long nc, IReadOnlyList<long> ch) : base(name)
    {
        if (nc <= 0) throw new ArgumentException($"Detect: number of classes must be positive, got {nc}", nameof(nc));
        if (ch.Count == 0) throw new ArgumentException("Detect: no input levels", nameof(ch));
        Nc = nc;
        Nl = ch.Count;
        RegMax = DefaultRegMax;
        No = nc + RegMax * 4;
        Stride = new double[Nl];
        long c2 = Math.Max(Math.Max(16, ch[0] / 4), RegMax * 4);
        C3 = Math.Max(ch[0], Math.Min(nc, 100));
        _cv2 = register_module("cv2", new ModuleList<Sequential>(ch.Select(x => BoxBranch(x, c2))));
        _cv3 = register_module("cv3", new ModuleList<Sequential>(ch.Select(x =>
            nn.Sequential(new Conv(x, C3, 3), new Conv(C3, C3, 3), nn.Conv2d(C3, nc, 1)))));
        _dfl = register_module("dfl", new DFL(RegMax));
    }

    /// <summary>Number of classes.</summary>
    public long Nc { get; }
    /// <summary>Number of levels.</summary>
    public int Nl { get; }
    /// <summary>DFL bins per side.</summary>
    public long RegMax { get; }
    /// <summary>Outputs per anchor: 4 · reg_max + nc.</summary>
    public long No { get; }
    /// <summary>Class-branch width max(ch[0], min(nc, 100)).</summary>
    protected long C3 { get; }
    /// <summary>Stride of each level in input pixels; set when the model is built.</summary>
    public double[] Stride { get; }

    public ModuleList<Sequential> cv2 => _cv2;
    public ModuleList<Sequential> cv3 => _cv3;
    public DFL dfl => _dfl;

    internal Sequential BoxBranch(long x, long c2)
        => nn.Sequential(new Conv(x, c2, 3), new Conv(c2, c2, 3), nn.Conv2d(c2, 4 * RegMax, 1));

    /// <summary>Replaces the class branches (YOLOv10's depthwise cv3), keeping the key position.</summary>
    protected void ReplaceCv3(ModuleList<Sequential> cv3)
    {
        var old = _cv3;
        _cv3 = register_module("cv3", cv3);
        old.Dispose();
    }

    /// <param name="input">per level [B, ch_l, H_l, W_l]</param>
    public override YoloOutput forward(IReadOnlyList<Tensor> input) => new(Branch(input, _cv2, _cv3));

    /// <summary>One head branch: raw maps, plus the decoded predictions in eval mode.</summary>
    protected DetectOutput Branch(IReadOnlyList<Tensor> x, ModuleList<Sequential> boxes, ModuleList<Sequential> classes)
    {
        if (x.Count != Nl) throw new ArgumentException($"Detect: expected {Nl} feature maps, got {x.Count}");
        var feats = new Tensor[Nl];
        for (int i = 0; i < Nl; i++)
        {
            using var box = boxes[i].forward(x[i]);   // [B, 4 reg_max, H, W]
            using var cls = classes[i].forward(x[i]); // [B, nc, H, W]
            feats[i] = torch.cat(new[] { box, cls }, 1);
        }
        return new DetectOutput(feats, training ? null : Inference(feats));
    }

    /// <summary>Decodes raw maps (the one decoder, <see cref="YoloBoxDecoder.Inference"/>): DFL expectation, distances to
    /// (cx, cy, w, h) around cell centres, times the level stride; sigmoid class scores.</summary>
    /// <param name="feats">per level [B, no, H_l, W_l]</param>
    /// <returns>[B, 4 + nc, A]</returns>
    public Tensor Inference(IReadOnlyList<Tensor> feats) => YoloBoxDecoder.Inference(feats, Stride, Nc, RegMax);

    /// <summary>
    /// ultralytics bias_init: box biases 1, class biases log(5 / nc / (640 / s)^2) (about 0.01 objects
    /// per cell at 640 px). Needs <see cref="Stride"/>.
    /// </summary>
    public virtual void BiasInit() => BiasInit(_cv2, _cv3);

    protected void BiasInit(ModuleList<Sequential> boxes, ModuleList<Sequential> classes)
    {
        using var _ = torch.no_grad();
        for (int i = 0; i < Nl; i++)
        {
            ((Conv2d)boxes[i][^1]).bias!.fill_(1.0);
            ((Conv2d)classes[i][^1]).bias!.fill_(Math.Log(5.0 / Nc / Math.Pow(640.0 / Stride[i], 2)));
        }
    }
}
