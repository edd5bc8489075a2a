using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>YOLOv10 RepVGGDW: SiLU of a depthwise 7×7 Conv plus a depthwise 3×3 Conv (both without activation).</summary>
public sealed class RepVGGDW : nn.Module<Tensor, Tensor>
{
    readonly Conv _conv, _conv1;

    public RepVGGDW(long ed) : base(nameof(RepVGGDW))
    {
        _conv = register_module("conv", new Conv(ed, ed, 7, 1, 3, g: ed, act: false));
        _conv1 = register_module("conv1", new Conv(ed, ed, 3, 1, 1, g: ed, act: false));
        register_module("act", nn.SiLU());
    }

    /// <param name="input">[B, ed, H, W]</param>
    /// <returns>[B, ed, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        using var a = _conv.forward(input);
        using var b = _conv1.forward(input);
        using var s = a + b;
        return nn.functional.silu(s);
    }
}
