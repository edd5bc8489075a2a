using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10 CIB (compact inverted block): depthwise 3×3, pointwise to 2c_, depthwise 3×3 (or RepVGGDW when
/// lk), pointwise to c2, depthwise 3×3, all in cv1; plus the input when shortcut and c1 == c2.
/// </summary>
public sealed class CIB : nn.Module<Tensor, Tensor>
{
    readonly Sequential _cv1;

    public CIB(long c1, long c2, bool shortcut = true, double e = 0.5, bool lk = false) : base(nameof(CIB))
    {
        long c = (long)(c2 * e);
        _cv1 = register_module("cv1", nn.Sequential(
            new Conv(c1, c1, 3, g: c1),
            new Conv(c1, 2 * c, 1),
            lk ? new RepVGGDW(2 * c) : new Conv(2 * c, 2 * c, 3, g: 2 * c),
            new Conv(2 * c, c2, 1),
            new Conv(c2, c2, 3, g: c2)));
        Add = shortcut && c1 == c2;
    }

    /// <summary>Whether the input is added to the output.</summary>
    public bool Add { get; }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        var y = _cv1.forward(input);
        if (!Add) return y;
        using (y) return input + y;
    }
}
