using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics Conv: Conv2d without bias, BatchNorm2d (eps 1e-3, momentum 0.03 as initialize_weights sets
/// them), then SiLU (or nothing when <c>act</c> is false). Keys conv.weight, bn.*.
/// </summary>
public sealed class Conv : nn.Module<Tensor, Tensor>
{
    /// <summary>BatchNorm eps ultralytics' initialize_weights gives every BatchNorm2d.</summary>
    public const double BnEps = 1e-3;
    /// <summary>BatchNorm momentum ultralytics' initialize_weights gives every BatchNorm2d.</summary>
    public const double BnMomentum = 0.03;

    readonly Conv2d _conv;
    readonly BatchNorm2d _bn;
    readonly nn.Module<Tensor, Tensor> _act;

    /// <param name="c1">Input channels.</param>
    /// <param name="c2">Output channels.</param>
    /// <param name="k">Kernel size.</param>
    /// <param name="s">Stride.</param>
    /// <param name="p">Padding; null: "same" padding from <see cref="AutoPad"/>.</param>
    /// <param name="g">Groups.</param>
    /// <param name="d">Dilation.</param>
    /// <param name="act">SiLU after the norm when true, identity when false.</param>
    public Conv(long c1, long c2, long k = 1, long s = 1, long? p = null, long g = 1, long d = 1, bool act = true) : base(nameof(Conv))
    {
        _conv = register_module("conv", nn.Conv2d(c1, c2, k, s, AutoPad(k, p, d), d, groups: g, bias: false));
        _bn = register_module("bn", nn.BatchNorm2d(c2, BnEps, BnMomentum));
        _act = register_module("act", act ? nn.SiLU(true) : (nn.Module<Tensor, Tensor>)nn.Identity());
    }

    public Conv2d conv => _conv;
    public BatchNorm2d bn => _bn;

    /// <summary>Padding that keeps the size at stride 1 (ultralytics autopad).</summary>
    public static long AutoPad(long k, long? p = null, long d = 1)
    {
        if (d > 1) k = d * (k - 1) + 1;
        return p ?? k / 2;
    }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H/s, W/s]</returns>
    public override Tensor forward(Tensor input)
    {
        using var x = _conv.forward(input);
        var y = _bn.forward(x);
        if (_act is Identity) return y;
        // In place (ultralytics' SiLU(inplace=True)) where no gradient is recorded; out of place otherwise.
        if (!y.requires_grad) return nn.functional.silu(y, inplace: true);
        using (y) return nn.functional.silu(y);
    }
}
