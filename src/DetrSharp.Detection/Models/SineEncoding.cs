using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// The transformer sine encoding DETR's position embeddings share: each value divided by
/// temperature^(2·(i // 2) / F) for i in 0..F-1, then sines of the even features and cosines of the odd ones,
/// interleaved (the reference's stack((p[..., 0::2].sin(), p[..., 1::2].cos()), dim=-1).flatten(-2)).
/// </summary>
internal static class SineEncoding
{
    /// <param name="values">any shape [...], already scaled (e.g. by 2π)</param>
    /// <param name="numPosFeats">features per value (even)</param>
    /// <param name="temperature">the base of the frequencies</param>
    /// <returns>[..., numPosFeats] float32</returns>
    internal static Tensor Encode(Tensor values, long numPosFeats, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        var device = values.device;
        // temperature ** (2 * (arange(F) // 2) / F), in float32 as the reference
        var exponent = torch.arange(numPosFeats, ScalarType.Float32, device).floor_divide(2).mul(2).div(numPosFeats); // [F]
        var dimT = torch.full(new[] { numPosFeats }, temperature, ScalarType.Float32, device).pow(exponent);        // [F]
        var p = values.unsqueeze(-1).div(dimT);                                   // [..., F]
        var sin = p[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)].sin();   // [..., F/2]
        var cos = p[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)].cos();   // [..., F/2]
        return scope.MoveToOuter(torch.stack(new[] { sin, cos }, -1).flatten(-2)); // [..., F]
    }
}
