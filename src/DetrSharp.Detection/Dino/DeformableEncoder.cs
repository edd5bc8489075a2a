using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's deformable <c>TransformerEncoder</c>: <c>layers.0..N-1</c>, each token attending around its own cell
/// centre on every level (get_reference_points), no final norm (post-norm layers).
/// </summary>
public sealed class DeformableEncoder : nn.Module
{
    readonly ModuleList<DeformableEncoderLayer> _layers;

    public DeformableEncoder(IEnumerable<DeformableEncoderLayer> layers) : base(nameof(DeformableEncoder))
        => _layers = register_module("layers", new ModuleList<DeformableEncoderLayer>(layers.ToArray()));

    public ModuleList<DeformableEncoderLayer> Layers => _layers;

    /// <summary>
    /// Cell centres of every level, normalised by the level's unpadded size, then seen from every level
    /// (× each level's valid ratio), as the reference's get_reference_points.
    /// </summary>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="validRatios">[N, L, 2] unpadded fraction (w, h) of each level</param>
    /// <returns>[N, S, L, 2] (x, y)</returns>
    public static Tensor ReferencePoints(LevelShapes shapes, Tensor validRatios)
    {
        using var scope = torch.NewDisposeScope();
        var device = validRatios.device;
        var perLevel = new Tensor[shapes.Count];
        for (int l = 0; l < shapes.Count; l++)
        {
            var (h, w) = shapes[l];
            var ys = torch.arange(h, ScalarType.Float32, device).add(0.5).view(h, 1).expand(h, w).reshape(1, h * w);   // [1, H·W]
            var xs = torch.arange(w, ScalarType.Float32, device).add(0.5).view(1, w).expand(h, w).reshape(1, h * w);   // [1, H·W]
            var refY = ys.div(validRatios.select(1, l).narrow(1, 1, 1).mul(h));                  // [N, H·W]
            var refX = xs.div(validRatios.select(1, l).narrow(1, 0, 1).mul(w));                  // [N, H·W]
            perLevel[l] = torch.stack(new[] { refX, refY }, -1);                                 // [N, H·W, 2]
        }
        var refs = torch.cat(perLevel, 1);                                                       // [N, S, 2]
        return scope.MoveToOuter(refs.unsqueeze(2).mul(validRatios.unsqueeze(1)));              // [N, S, L, 2]
    }

    /// <param name="src">[N, S, C] flattened levels</param>
    /// <param name="pos">[N, S, C] position + level embedding</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="validRatios">[N, L, 2]</param>
    /// <param name="paddingMask">[N, S] bool, true on padding</param>
    /// <returns>memory [N, S, C]</returns>
    public Tensor forward(Tensor src, Tensor pos, LevelShapes shapes, Tensor validRatios, Tensor paddingMask)
    {
        using var scope = torch.NewDisposeScope();
        var output = src;
        if (_layers.Count > 0)
        {
            var refs = ReferencePoints(shapes, validRatios);
            foreach (var layer in _layers) output = layer.forward(output, pos, refs, shapes, paddingMask);
        }
        return scope.MoveToOuter(output.alias());
    }
}
