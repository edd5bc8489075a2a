using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>PositionEmbeddingSine</c>: the sine/cosine encoding of "Attention is all you need" applied to the
/// cumulative count of valid (unpadded) pixels along y and x. Padded positions keep the last valid cumulative
/// value (fully padded rows/columns are 0); with normalize, counts are divided by the last one (+1e-6) and
/// scaled to [0, scale]. Channels: y features first, then x; in each, sin and cos interleaved
/// (channel 2i = sin, 2i + 1 = cos, frequency temperature^(2⌊i/2⌋ / num_pos_feats)). No parameters.
/// DINO's <c>PositionEmbeddingSineHW</c> is this encoding with a temperature per axis (its configs use 20 for both).
/// </summary>
public sealed class PositionEmbeddingSine : PositionEmbedding
{
    const double Eps = 1e-6;

    /// <param name="numPosFeats">features per axis (hidden_dim / 2 in DETR); must be even</param>
    /// <param name="temperature">the base of the frequencies (10000)</param>
    /// <param name="normalize">normalise the counts to [0, scale]</param>
    /// <param name="scale">the normalised range; only with normalize; 2π when null</param>
    /// <param name="temperatureW">the x features' base when it differs from the y features' (DINO's temperatureW)</param>
    public PositionEmbeddingSine(long numPosFeats = 64, double temperature = 10000, bool normalize = false, double? scale = null, double? temperatureW = null)
        : base(nameof(PositionEmbeddingSine), numPosFeats)
    {
        if (numPosFeats % 2 != 0)
            throw new ArgumentException($"PositionEmbeddingSine: num_pos_feats must be even (sin and cos interleave), got {numPosFeats}", nameof(numPosFeats));
        if (scale is not null && !normalize)
            throw new ArgumentException("PositionEmbeddingSine: normalize should be True if scale is passed", nameof(scale));
        Temperature = temperature;
        TemperatureW = temperatureW ?? temperature;
        Normalize = normalize;
        Scale = scale ?? 2 * Math.PI;
    }

    /// <summary>The base of the frequencies (of the y features when <see cref="TemperatureW"/> differs).</summary>
    public double Temperature { get; }

    /// <summary>The base of the x features' frequencies.</summary>
    public double TemperatureW { get; }

    /// <summary>Whether the counts are normalised to [0, <see cref="Scale"/>].</summary>
    public bool Normalize { get; }

    /// <summary>The normalised range (2π by default).</summary>
    public double Scale { get; }

    /// <param name="x">tensors [batch, C, H, W] (only the device is used); mask [batch, H, W], true on padding</param>
    /// <returns>[batch, 2 × num_pos_feats, H, W] float32, y features first</returns>
    public override Tensor forward(NestedTensor x)
    {
        var mask = x.Mask ?? throw new ArgumentException("PositionEmbeddingSine: the NestedTensor has no mask", nameof(x));
        return Encode(mask);
    }

    /// <summary>The encoding of a padding mask.</summary>
    /// <param name="mask">[batch, H, W] bool, true on padding</param>
    /// <returns>[batch, 2 × num_pos_feats, H, W] float32</returns>
    public Tensor Encode(Tensor mask)
    {
        if (mask.dim() != 3 || mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"PositionEmbeddingSine: mask must be bool [batch, H, W], got {mask.dtype.Name()} {ShapeText.Format(mask)}", nameof(mask));
        using var scope = torch.NewDisposeScope();
        var notMask = mask.logical_not();
        var yEmbed = notMask.cumsum(1, ScalarType.Float32);                   // [B, H, W]
        var xEmbed = notMask.cumsum(2, ScalarType.Float32);                   // [B, H, W]
        if (Normalize)
        {
            yEmbed = yEmbed.div(yEmbed[TensorIndex.Colon, TensorIndex.Slice(-1), TensorIndex.Colon].add(Eps)).mul(Scale);
            xEmbed = xEmbed.div(xEmbed[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(-1)].add(Eps)).mul(Scale);
        }
        // y's features first, then x's, as the reference's cat((pos_y, pos_x), dim=3)
        var posY = SineEncoding.Encode(yEmbed, NumPosFeats, Temperature);      // [B, H, W, F]
        var posX = SineEncoding.Encode(xEmbed, NumPosFeats, TemperatureW);     // [B, H, W, F]
        return scope.MoveToOuter(torch.cat(new[] { posY, posX }, 3).permute(0, 3, 1, 2)); // [B, 2F, H, W]
    }
}
