using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>YOLOv10 C2fCIB: C2f whose blocks are CIBs (e 1.0; RepVGGDW inside when lk).</summary>
public sealed class C2fCIB : C2f
{
    public C2fCIB(long c1, long c2, long n = 1, bool shortcut = false, bool lk = false, long g = 1, double e = 0.5)
        : base(nameof(C2fCIB), c1, c2, n, e, c => Enumerable.Range(0, (int)n)
            .Select(_ => (nn.Module<Tensor, Tensor>)new CIB(c, c, shortcut, 1.0, lk)))
    {
    }
}
