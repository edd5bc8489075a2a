using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// The (H, W) of every feature level of a flattened multi-scale input, held on the host (the splits and the
/// sampling need them as numbers) with the reference's tensors made on demand: spatial_shapes [L, 2] and
/// level_start_index [L], both int64.
/// </summary>
public sealed class LevelShapes
{
    readonly (long H, long W)[] _shapes;

    /// <param name="shapes">(H, W) per level, each positive</param>
    public LevelShapes(IReadOnlyList<(long H, long W)> shapes)
    {
        if (shapes.Count == 0) throw new ArgumentException("LevelShapes: needs at least one level", nameof(shapes));
        foreach (var (h, w) in shapes)
            if (h <= 0 || w <= 0) throw new ArgumentException($"LevelShapes: every level needs a positive H and W, got ({h}, {w})", nameof(shapes));
        _shapes = shapes.ToArray();
    }

    /// <summary>The shapes of an int64 spatial_shapes tensor [L, 2] (read once to the host).</summary>
    public static LevelShapes FromTensor(Tensor spatialShapes)
    {
        if (spatialShapes.dim() != 2 || spatialShapes.size(1) != 2)
            throw new ArgumentException($"LevelShapes: spatial_shapes must be [levels, 2], got {Models.ShapeText.Format(spatialShapes)}", nameof(spatialShapes));
        using var cpu = spatialShapes.to(ScalarType.Int64, Device.CPU);
        var v = cpu.data<long>();
        var list = new List<(long, long)>();
        for (int i = 0; i < v.Length; i += 2) list.Add((v[i], v[i + 1]));
        return new LevelShapes(list);
    }

    /// <summary>Number of levels.</summary>
    public int Count => _shapes.Length;

    /// <summary>(H, W) of a level.</summary>
    public (long H, long W) this[int level] => _shapes[level];

    /// <summary>H × W of every level.</summary>
    public long[] Sizes => _shapes.Select(s => s.H * s.W).ToArray();

    /// <summary>Σ H × W: the length of the flattened input.</summary>
    public long Total => _shapes.Sum(s => s.H * s.W);

    /// <summary>Where each level starts in the flattened input.</summary>
    public long[] StartIndex
    {
        get
        {
            var s = new long[_shapes.Length];
            for (int i = 1; i < s.Length; i++) s[i] = s[i - 1] + _shapes[i - 1].H * _shapes[i - 1].W;
            return s;
        }
    }

    /// <summary>spatial_shapes as the reference holds it.</summary>
    /// <returns>[L, 2] int64 (H, W)</returns>
    public Tensor ToTensor(Device? device = null)
        => torch.tensor(_shapes.SelectMany(s => new[] { s.H, s.W }).ToArray(), new long[] { _shapes.Length, 2 }, device: device);

    /// <summary>level_start_index as the reference holds it.</summary>
    /// <returns>[L] int64</returns>
    public Tensor StartIndexTensor(Device? device = null) => torch.tensor(StartIndex, new long[] { _shapes.Length }, device: device);
}
