using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// The two functions anchor-box decoders (DAB-DETR, DINO) are built on: the inverse of the sigmoid that box
/// heads end with, so a head can predict offsets in logit space, and the sine embedding of a box, the same
/// encoding as <see cref="PositionEmbeddingSine"/> gives the feature map, so a query's position and the
/// keys' positions live in one space.
/// </summary>
public static class AnchorMath
{
    /// <summary>
    /// log(x / (1 - x)) with x clamped to [0, 1] and both parts to at least <paramref name="eps"/>
    /// (DAB-DETR's and DINO's inverse_sigmoid, eps 1e-3 there; 1e-5 in Deformable DETR).
    /// </summary>
    /// <param name="x">any shape, values in [0, 1]</param>
    /// <returns>x's shape</returns>
    public static Tensor InverseSigmoid(Tensor x, double eps = 1e-3)
    {
        using var scope = torch.NewDisposeScope();
        var clamped = x.clamp(0, 1);
        var x1 = clamped.clamp_min(eps);
        var x2 = (1 - clamped).clamp_min_(eps);
        return scope.MoveToOuter(x1.div(x2).log_());
    }

    /// <summary>
    /// DAB-DETR's gen_sineembed_for_position: each of the box's coordinates (cx, cy[, w, h]) scaled by 2π and
    /// encoded by <paramref name="numPosFeats"/> sines and cosines (interleaved, temperature 10000), concatenated
    /// in the order y, x, w, h as the feature map's encoding puts y first.
    /// </summary>
    /// <param name="boxes">[..., 2 or 4] normalised cxcy[wh]</param>
    /// <param name="numPosFeats">features per coordinate (even): hidden_dim / 2 matches the feature map's</param>
    /// <returns>[..., 2 or 4 × numPosFeats]</returns>
    public static Tensor SineEmbedding(Tensor boxes, long numPosFeats, double temperature = 10000)
    {
        long coords = boxes.size(-1);
        if (coords is not (2 or 4))
            throw new ArgumentException($"SineEmbedding: boxes must end in 2 (cx, cy) or 4 (cx, cy, w, h) values, got {ShapeText.Format(boxes)}", nameof(boxes));
        if (numPosFeats <= 0 || numPosFeats % 2 != 0)
            throw new ArgumentException($"SineEmbedding: numPosFeats must be positive and even, got {numPosFeats}", nameof(numPosFeats));
        using var scope = torch.NewDisposeScope();
        var interleaved = SineEncoding.Encode(boxes.mul(2 * Math.PI), numPosFeats, temperature); // [..., coords, F]
        // y before x, then w and h
        long[] order = coords == 4 ? new long[] { 1, 0, 2, 3 } : new long[] { 1, 0 };
        using var index = torch.tensor(order, new long[] { coords }, device: boxes.device);
        var reordered = interleaved.index_select(-2, index);                     // [..., coords, F]
        return scope.MoveToOuter(reordered.flatten(-2));                         // [..., coords × F]
    }
}
