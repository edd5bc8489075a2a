using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>ultralytics Bottleneck: two Convs (cv1, cv2), plus the input when shortcut and c1 == c2.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    readonly Conv _cv1, _cv2;

    public Bottleneck(long c1, long c2, bool shortcut = true, long g = 1, (long, long)? k = null, double e = 0.5) : base(nameof(Bottleneck))
    {
        var (k1, k2) = k ?? (3, 3);
        long c = (long)(c2 * e);
        _cv1 = register_module("cv1", new Conv(c1, c, k1, 1));
        _cv2 = register_module("cv2", new Conv(c, c2, k2, 1, g: g));
        Add = shortcut && c1 == c2;
    }

    /// <summary>Whether the input is added to the output.</summary>
    public bool Add { get; }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        using var a = _cv1.forward(input);
        var b = _cv2.forward(a);
        if (!Add) return b;
        using (b) return input + b;
    }
}
