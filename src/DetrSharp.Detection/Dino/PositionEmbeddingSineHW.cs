using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>PositionEmbeddingSineHW</c>: DETR's sine encoding of the cumulative count of unpadded pixels, with
/// its own temperature per axis (DINO's configs use 20 for both). Normalised to [0, 2π] with eps 1e-6 as DINO
/// builds it; y features first, sin and cos interleaved. No parameters.
/// </summary>
public sealed class PositionEmbeddingSineHW : nn.Module<NestedTensor, Tensor>
{
    const double Eps = 1e-6;

    /// <param name="numPosFeats">features per axis (hidden_dim / 2), even</param>
    /// <param name="temperatureH">frequency base of the y features</param>
    /// <param name="temperatureW">frequency base of the x features</param>
    /// <param name="normalize">divide the counts by the last one and scale to [0, scale]</param>
    public PositionEmbeddingSineHW(long numPosFeats = 128, double temperatureH = 10000, double temperatureW = 10000, bool normalize = true,
        double? scale = null) : base(nameof(PositionEmbeddingSineHW))
    {
        if (numPosFeats <= 0 || numPosFeats % 2 != 0)
            throw new ArgumentException($"PositionEmbeddingSineHW: num_pos_feats must be positive and even, got {numPosFeats}", nameof(numPosFeats));
        if (scale is not null && !normalize)
            throw new ArgumentException("PositionEmbeddingSineHW: normalize should be true if scale is passed", nameof(scale));
        NumPosFeats = numPosFeats;
        TemperatureH = temperatureH;
        TemperatureW = temperatureW;
        Normalize = normalize;
        Scale = scale ?? 2 * Math.PI;
    }

    public long NumPosFeats { get; }
    public double TemperatureH { get; }
    public double TemperatureW { get; }
    public bool Normalize { get; }
    public double Scale { get; }

    /// <param name="x">tensors [B, C, H, W] (unused but for the reference's signature); mask [B, H, W], true on padding</param>
    /// <returns>[B, 2 × num_pos_feats, H, W] float32</returns>
    public override Tensor forward(NestedTensor x)
        => Encode(x.Mask ?? throw new ArgumentException("PositionEmbeddingSineHW: the NestedTensor has no mask", nameof(x)));

    /// <param name="mask">[B, H, W] bool, true on padding</param>
    /// <returns>[B, 2 × num_pos_feats, H, W] float32</returns>
    public Tensor Encode(Tensor mask)
    {
        if (mask.dim() != 3 || mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"PositionEmbeddingSineHW: mask must be bool [batch, H, W], got {mask.dtype.Name()} {ShapeText.Format(mask)}", nameof(mask));
        using var scope = torch.NewDisposeScope();
        var notMask = mask.logical_not();
        var yEmbed = notMask.cumsum(1, ScalarType.Float32);                       // [B, H, W]
        var xEmbed = notMask.cumsum(2, ScalarType.Float32);                       // [B, H, W]
        if (Normalize)
        {
            yEmbed = yEmbed.div(yEmbed[TensorIndex.Colon, TensorIndex.Slice(-1), TensorIndex.Colon].add(Eps)).mul(Scale);
            xEmbed = xEmbed.div(xEmbed[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(-1)].add(Eps)).mul(Scale);
        }
        var posY = SineEncoding.Encode(yEmbed, NumPosFeats, TemperatureH);        // [B, H, W, F]
        var posX = SineEncoding.Encode(xEmbed, NumPosFeats, TemperatureW);        // [B, H, W, F]
        return scope.MoveToOuter(torch.cat(new[] { posY, posX }, 3).permute(0, 3, 1, 2)); // [B, 2F, H, W]
    }
}
