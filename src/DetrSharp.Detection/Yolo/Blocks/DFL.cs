using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics DFL (distribution focal loss integral): softmax over c1 bins, then the expectation with a
/// 1×1 conv whose fixed weights are 0..c1-1 (no gradient). Key conv.weight [1, c1, 1, 1].
/// </summary>
public sealed class DFL : nn.Module<Tensor, Tensor>
{
    readonly Conv2d _conv;

    public DFL(long c1 = 16) : base(nameof(DFL))
    {
        C1 = c1;
        _conv = register_module("conv", nn.Conv2d(c1, 1, 1, bias: false));
        using (torch.no_grad())
        using (var w = torch.arange(c1, ScalarType.Float32))
        using (var w4 = w.view(1, c1, 1, 1))
            _conv.weight.copy_(w4);
        _conv.weight.requires_grad = false;
    }

    /// <summary>Bins per side (reg_max).</summary>
    public long C1 { get; }

    /// <param name="input">[B, 4 * c1, A] distance logits</param>
    /// <returns>[B, 4, A] expected distances in grid units</returns>
    public override Tensor forward(Tensor input)
    {
        long b = input.shape[0], a = input.shape[2];
        using var v = input.view(b, 4, C1, a);
        using var t = v.transpose(2, 1);   // [B, c1, 4, A]
        using var p = t.softmax(1);
        using var e = _conv.forward(p);    // [B, 1, 4, A]
        return e.view(b, 4, a);
    }
}
