using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10 v10Detect: Detect with a lighter class branch (depthwise 3×3 + pointwise, twice, then 1×1 to nc)
/// and a one-to-one copy of both branches (one2one_cv2, one2one_cv3) run on detached features, so the
/// one-to-one loss trains only the head. Returns both branches in training and in eval.
/// </summary>
public sealed class V10Detect : Detect
{
    readonly ModuleList<Sequential> _o2oCv2, _o2oCv3;

    public V10Detect(long nc, IReadOnlyList<long> ch) : base("v10Detect", nc, ch)
    {
        ReplaceCv3(ClassBranches(ch));
        long c2 = Math.Max(Math.Max(16, ch[0] / 4), RegMax * 4);
        // copy.deepcopy in the reference: same architecture, same initial values.
        _o2oCv2 = register_module("one2one_cv2", new ModuleList<Sequential>(ch.Select(x => BoxBranch(x, c2))));
        _o2oCv3 = register_module("one2one_cv3", ClassBranches(ch));
        CopyParameters(cv2, _o2oCv2);
        CopyParameters(cv3, _o2oCv3);
    }

    public ModuleList<Sequential> one2one_cv2 => _o2oCv2;
    public ModuleList<Sequential> one2one_cv3 => _o2oCv3;

    ModuleList<Sequential> ClassBranches(IReadOnlyList<long> ch) => new(ch.Select(x => nn.Sequential(
        nn.Sequential(new Conv(x, x, 3, g: x), new Conv(x, C3, 1)),
        nn.Sequential(new Conv(C3, C3, 3, g: C3), new Conv(C3, C3, 1)),
        nn.Conv2d(C3, Nc, 1))));

    static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = torch.no_grad();
        var src = from.state_dict();
        try
        {
            foreach (var (name, t) in to.state_dict())
                using (t) t.copy_(src[name]);
        }
        finally
        {
            foreach (var t in src.Values) t.Dispose();
        }
    }

    /// <param name="input">per level [B, ch_l, H_l, W_l]</param>
    public override YoloOutput forward(IReadOnlyList<Tensor> input)
    {
        var detached = input.Select(x => x.detach()).ToArray();
        try
        {
            var one2one = Branch(detached, _o2oCv2, _o2oCv3);
            var one2many = Branch(input, cv2, cv3);
            return new YoloOutput(one2many, one2one);
        }
        finally
        {
            foreach (var d in detached) d.Dispose();
        }
    }

    /// <summary>bias_init on both the one-to-many and the one-to-one branches.</summary>
    public override void BiasInit()
    {
        base.BiasInit();
        BiasInit(_o2oCv2, _o2oCv3);
    }
}
