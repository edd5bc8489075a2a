using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10 PSA (partial self-attention): cv1 splits into halves a, b; b gets attention and a feed-forward
/// (each residual); cv2 fuses a and b. Heads: c / 64.
/// </summary>
public sealed class PSA : nn.Module<Tensor, Tensor>
{
    readonly Conv _cv1, _cv2;
    readonly Attention _attn;
    readonly Sequential _ffn;

    public PSA(long c1, long c2, double e = 0.5) : base(nameof(PSA))
    {
        if (c1 != c2) throw new ArgumentException($"PSA: input and output channels must be equal, got {c1} and {c2}");
        C = (long)(c1 * e);
        _cv1 = register_module("cv1", new Conv(c1, 2 * C, 1, 1));
        _cv2 = register_module("cv2", new Conv(2 * C, c1, 1));
        _attn = register_module("attn", new Attention(C, numHeads: C / 64, attnRatio: 0.5));
        _ffn = register_module("ffn", nn.Sequential(new Conv(C, C * 2, 1), new Conv(C * 2, C, 1, act: false)));
    }

    /// <summary>Hidden channels (ultralytics self.c).</summary>
    public long C { get; }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c1, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        using var x = _cv1.forward(input);
        var ab = x.split(new[] { C, C }, 1);
        using var a = ab[0];                 // [B, c, H, W]
        using var b0 = ab[1];
        using var att = _attn.forward(b0);
        using var b1 = b0 + att;
        using var ff = _ffn.forward(b1);
        using var b2 = b1 + ff;
        using var cat = torch.cat(new[] { a, b2 }, 1);
        return _cv2.forward(cat);
    }
}
