using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// ultralytics C2f (CSP bottleneck with two convolutions): cv1 splits into two halves, n blocks (m) run
/// on the last half one after another, cv2 fuses all of them. C2fCIB swaps the blocks for CIBs.
/// </summary>
public class C2f : nn.Module<Tensor, Tensor>
{
    readonly Conv _cv1, _cv2;
    readonly ModuleList<nn.Module<Tensor, Tensor>> _m;

    public C2f(long c1, long c2, long n = 1, bool shortcut = false, long g = 1, double e = 0.5)
        : this(nameof(C2f), c1, c2, n, e, c => Enumerable.Range(0, (int)n)
            .Select(_ => (nn.Module<Tensor, Tensor>)new Bottleneck(c, c, shortcut, g, (3, 3), 1.0)))
    {
    }

    /// <summary>For subclasses: the same split/fuse convs around blocks made by <paramref name="blocks"/> (given the hidden width).</summary>
    protected C2f(string name, long c1, long c2, long n, double e, Func<long, IEnumerable<nn.Module<Tensor, Tensor>>> blocks) : base(name)
    {
        C = (long)(c2 * e);
        _cv1 = register_module("cv1", new Conv(c1, 2 * C, 1, 1));
        _cv2 = register_module("cv2", new Conv((2 + n) * C, c2, 1));
        _m = register_module("m", new ModuleList<nn.Module<Tensor, Tensor>>(blocks(C)));
    }

    /// <summary>Hidden channels (ultralytics self.c).</summary>
    public long C { get; }

    /// <param name="input">[B, c1, H, W]</param>
    /// <returns>[B, c2, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        var ys = new List<Tensor>(2 + _m.Count);
        try
        {
            using (var x = _cv1.forward(input)) ys.AddRange(x.chunk(2, 1)); // 2 x [B, c, H, W]
            foreach (var block in _m) ys.Add(block.forward(ys[^1]));
            using var cat = torch.cat(ys, 1);                              // [B, (2+n) c, H, W]
            return _cv2.forward(cat);
        }
        finally
        {
            foreach (var y in ys) y.Dispose();
        }
    }
}
