using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>YOLOv10 SCDown: pointwise Conv (cv1) then a depthwise strided Conv without activation (cv2).</summary>
public sealed class SCDown : nn.Module<Tensor, Tensor>
{
    readonly Conv _cv1, _cv2;

    public SCDown(long c1, long c2, long k, long s) : base(nameof(SCDown))
    {
        _cv1 = register_module("cv1", new Conv(c1, c2, 1, 1));
        _cv2 = register_module("cv2", new Conv(c2, c2, k, s, g: c2, act: false));
    }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H/s, W/s]</returns>
    public override Tensor forward(Tensor input)
    {
        using var x = _cv1.forward(input);
        return _cv2.forward(x);
    }
}
