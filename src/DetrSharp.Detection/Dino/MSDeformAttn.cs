using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// Multi-scale deformable attention (Deformable DETR's <c>MSDeformAttn</c>, as DINO uses it): each query looks at
/// n_points locations per head and level around its reference point, and sums the bilinearly sampled values
/// with softmax weights over levels × points. Parameters as the reference names them: <c>sampling_offsets</c>,
/// <c>attention_weights</c>, <c>value_proj</c>, <c>output_proj</c>.
/// </summary>
public sealed class MSDeformAttn : nn.Module
{
    readonly Linear _samplingOffsets, _attentionWeights, _valueProj, _outputProj;

    /// <param name="dModel">channels of queries and values (divisible by nHeads)</param>
    /// <param name="nLevels">feature levels</param>
    /// <param name="nHeads">attention heads</param>
    /// <param name="nPoints">sampling points per head and level</param>
    public MSDeformAttn(long dModel = 256, int nLevels = 4, int nHeads = 8, int nPoints = 4, Device? device = null) : base(nameof(MSDeformAttn))
    {
        if (dModel <= 0 || nHeads <= 0 || dModel % nHeads != 0)
            throw new ArgumentException($"MSDeformAttn: d_model must be divisible by n_heads, got {dModel} and {nHeads}", nameof(dModel));
        if (nLevels <= 0 || nPoints <= 0)
            throw new ArgumentException($"MSDeformAttn: n_levels and n_points must be positive, got {nLevels} and {nPoints}");
        DModel = dModel;
        NLevels = nLevels;
        NHeads = nHeads;
        NPoints = nPoints;
        _samplingOffsets = register_module("sampling_offsets", nn.Linear(dModel, nHeads * nLevels * nPoints * 2, device: device));
        _attentionWeights = register_module("attention_weights", nn.Linear(dModel, nHeads * nLevels * nPoints, device: device));
        _valueProj = register_module("value_proj", nn.Linear(dModel, dModel, device: device));
        _outputProj = register_module("output_proj", nn.Linear(dModel, dModel, device: device));
        ResetParameters();
    }

    public long DModel { get; }
    public int NLevels { get; }
    public int NHeads { get; }
    public int NPoints { get; }

    /// <summary>How the levels are sampled (the same values and gradients either way).</summary>
    public MsDeformSamplingMode Sampling { get; set; } = MsDeformSamplingMode.PerLevel;

    /// <summary>
    /// The reference's _reset_parameters: offsets weight 0 and bias a ring of head directions (cos, sin of
    /// 2πh / heads, scaled so the larger component is 1) times point index + 1; attention weights 0 (uniform
    /// softmax); xavier_uniform projections with zero biases.
    /// </summary>
    public void ResetParameters()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        nn.init.zeros_(_samplingOffsets.weight);
        var thetas = torch.arange(NHeads, ScalarType.Float32).mul(2.0 * Math.PI / NHeads);          // [heads]
        var grid = torch.stack(new[] { thetas.cos(), thetas.sin() }, -1);                           // [heads, 2]
        grid = grid.div(grid.abs().max(-1, true).values);                                           // [heads, 2]
        var scale = torch.arange(1, NPoints + 1, ScalarType.Float32).view(1, 1, NPoints, 1);        // [1, 1, P, 1]
        var init = grid.view(NHeads, 1, 1, 2).mul(scale).expand(NHeads, NLevels, NPoints, 2);      // [heads, L, P, 2]
        _samplingOffsets.bias!.copy_(init.reshape(-1));
        nn.init.zeros_(_attentionWeights.weight);
        nn.init.zeros_(_attentionWeights.bias!);
        nn.init.xavier_uniform_(_valueProj.weight);
        nn.init.zeros_(_valueProj.bias!);
        nn.init.xavier_uniform_(_outputProj.weight);
        nn.init.zeros_(_outputProj.bias!);
    }

    /// <param name="query">[N, Lq, C] (position already added)</param>
    /// <param name="referencePoints">[N, Lq, L, 2] normalised (x, y), or [N, Lq, L, 4] normalised (cx, cy, w, h)</param>
    /// <param name="inputFlatten">[N, S, C] the levels' values flattened and concatenated, S = Σ H·W</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="inputPaddingMask">[N, S] bool, true on padding (those values are zeroed), or null</param>
    /// <returns>[N, Lq, C]</returns>
    public Tensor forward(Tensor query, Tensor referencePoints, Tensor inputFlatten, LevelShapes shapes, Tensor? inputPaddingMask = null)
    {
        if (query.dim() != 3 || query.size(2) != DModel)
            throw new ArgumentException($"MSDeformAttn: query must be [N, Lq, {DModel}], got {Models.ShapeText.Format(query)}", nameof(query));
        long n = query.size(0), lq = query.size(1);
        if (inputFlatten.dim() != 3 || inputFlatten.size(0) != n || inputFlatten.size(2) != DModel)
            throw new ArgumentException($"MSDeformAttn: input_flatten must be [{n}, S, {DModel}], got {Models.ShapeText.Format(inputFlatten)}", nameof(inputFlatten));
        long s = inputFlatten.size(1);
        if (shapes.Count != NLevels || shapes.Total != s)
            throw new ArgumentException($"MSDeformAttn: expected {NLevels} levels whose H·W sum to the input length {s}, got {shapes.Count} levels summing to {shapes.Total}", nameof(shapes));
        if (referencePoints.dim() != 4 || referencePoints.size(0) != n || referencePoints.size(1) != lq || referencePoints.size(2) != NLevels
            || referencePoints.size(3) is not (2 or 4))
            throw new ArgumentException($"MSDeformAttn: reference_points must be [{n}, {lq}, {NLevels}, 2 or 4], got {Models.ShapeText.Format(referencePoints)}", nameof(referencePoints));

        using var scope = torch.NewDisposeScope();
        long headDim = DModel / NHeads;
        var value = _valueProj.call(inputFlatten);                                            // [N, S, C]
        if (inputPaddingMask is not null)
        {
            if (!inputPaddingMask.shape.SequenceEqual(new[] { n, s }))
                throw new ArgumentException($"MSDeformAttn: input_padding_mask must be [{n}, {s}], got {Models.ShapeText.Format(inputPaddingMask)}", nameof(inputPaddingMask));
            value = value.masked_fill(inputPaddingMask.unsqueeze(-1), 0.0);
        }
        value = value.view(n, s, NHeads, headDim);                                            // [N, S, M, D]
        var offsets = _samplingOffsets.call(query).view(n, lq, NHeads, NLevels, NPoints, 2);  // [N, Lq, M, L, P, 2]
        var weights = _attentionWeights.call(query).view(n, lq, NHeads, NLevels * NPoints)
            .softmax(-1).view(n, lq, NHeads, NLevels, NPoints);                                // [N, Lq, M, L, P]

        Tensor locations;                                                                     // [N, Lq, M, L, P, 2]
        if (referencePoints.size(3) == 2)
        {
            // offsets in pixels of each level: divided by (W, H)
            var normalizer = torch.tensor(Enumerable.Range(0, shapes.Count).SelectMany(l => new float[] { shapes[l].W, shapes[l].H }).ToArray(),
                new long[] { 1, 1, 1, shapes.Count, 1, 2 }, device: query.device);
            var refs = referencePoints.view(n, lq, 1, NLevels, 1, 2);
            locations = refs.add(offsets.div(normalizer));
        }
        else
        {
            // offsets relative to the box: × w, h × 0.5 / n_points
            var centre = referencePoints.narrow(-1, 0, 2).view(n, lq, 1, NLevels, 1, 2);
            var size = referencePoints.narrow(-1, 2, 2).view(n, lq, 1, NLevels, 1, 2);
            locations = centre.add(offsets.div(NPoints).mul(size).mul(0.5));
        }
        var sampled = MsDeformSampling.Sample(value, shapes, locations, weights, Sampling);           // [N, Lq, C]
        return scope.MoveToOuter(_outputProj.call(sampled));
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public Tensor call(Tensor query, Tensor referencePoints, Tensor inputFlatten, LevelShapes shapes, Tensor? inputPaddingMask = null)
        => forward(query, referencePoints, inputFlatten, shapes, inputPaddingMask);
}
