using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>ultralytics SPPF: cv1 halves the channels, three chained k×k max pools, cv2 fuses the four maps.</summary>
public sealed class SPPF : nn.Module<Tensor, Tensor>
{
    readonly Conv _cv1, _cv2;
    readonly MaxPool2d _m;

    public SPPF(long c1, long c2, long k = 5) : base(nameof(SPPF))
    {
        long c = c1 / 2;
        _cv1 = register_module("cv1", new Conv(c1, c, 1, 1));
        _cv2 = register_module("cv2", new Conv(c * 4, c2, 1, 1));
        _m = register_module("m", nn.MaxPool2d(k, 1, k / 2));
    }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        var ys = new List<Tensor>(4);
        try
        {
            ys.Add(_cv1.forward(input));
            for (int i = 0; i < 3; i++) ys.Add(_m.forward(ys[^1]));
            using var cat = torch.cat(ys, 1); // [B, 4 c, H, W]
            return _cv2.forward(cat);
        }
        finally
        {
            foreach (var y in ys) y.Dispose();
        }
    }
}
