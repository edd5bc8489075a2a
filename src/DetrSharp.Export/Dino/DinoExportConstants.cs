using DetrSharp.Detection.Dino;
using DetrSharp.Export.Modules;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Export.Dino;

/// <summary>
/// What DINO computes from the padding mask and the level shapes alone, fixed for an export size with no padding and
/// computed once by the libtorch code the model runs (so the constants are its values bit for bit): the levels'
/// (H, W), the flattened position embeddings + level_embed, the encoder's reference points (valid ratios 1), the
/// two-stage anchor proposals in logit space (+inf where invalid) and which tokens are valid.
/// </summary>
public sealed class DinoExportConstants
{
    public required LevelShapes Shapes { get; init; }
    /// <summary>[1, S, C] position embedding + level_embed of every token.</summary>
    public required float[] Position { get; init; }
    /// <summary>[1, S, L, 2] the encoder's reference points.</summary>
    public required float[] EncoderPoints { get; init; }
    /// <summary>[1, S, 4] gen_encoder_output_proposals' boxes, inverse-sigmoid cxcywh, +inf where invalid.</summary>
    public required float[] Proposals { get; init; }
    /// <summary>[1, S, 1] 1 for a valid proposal, 0 for one whose memory is zeroed; null when all are valid.</summary>
    public required float[]? Valid { get; init; }
    /// <summary>[F] the query sine embedding's divisors temperature^(2⌊i/2⌋ / F), F = hidden / 2.</summary>
    public required float[] SineDivisors { get; init; }

    /// <param name="height">export input height in pixels</param>
    /// <param name="width">export input width in pixels</param>
    public static DinoExportConstants Compute(DINO model, long height, long width)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = model.Transformer.LevelEmbed.device;
        var transformer = model.Transformer;
        long d = transformer.DModel;
        var images = torch.zeros(new long[] { 1, 3, height, width }, device: device);
        var mask = torch.zeros(new long[] { 1, height, width }, ScalarType.Bool, device);
        var (features, poss) = model.Backbone.call(new NestedTensor(images, mask));
        var pos = new List<Tensor>(poss);
        var shapes = features.Select(f => (f.Tensors.size(2), f.Tensors.size(3))).ToList();
        var inputProj = TensorValues.Child<ModuleList<Sequential>>(model, "input_proj");
        Tensor? previous = null;
        for (int l = features.Length; l < model.Config.NumFeatureLevels; l++)
        {
            var src = inputProj[l].call(l == features.Length ? features[^1].Tensors : previous!);     // [1, C, h, w]
            var levelMask = torch.zeros(new long[] { 1, src.size(2), src.size(3) }, ScalarType.Bool, device);
            pos.Add(model.Backbone.Encode(new NestedTensor(src, levelMask)));
            shapes.Add((src.size(2), src.size(3)));
            previous = src;
        }
        var levelShapes = new LevelShapes(shapes);
        // as DinoTransformer.forward: each level flattened, plus its level_embed row
        var posFlat = pos.Select((p, l) => p.flatten(2).transpose(1, 2).add(transformer.LevelEmbed[l].view(1, 1, -1))).ToArray();
        var position = torch.cat(posFlat, 1);                                                          // [1, S, C]
        var ratios = torch.ones(new long[] { 1, levelShapes.Count, 2 }, device: device);                 // unpadded: 1
        var points = DeformableEncoder.ReferencePoints(levelShapes, ratios);                           // [1, S, L, 2]
        var tokenMask = torch.zeros(new long[] { 1, levelShapes.Total }, ScalarType.Bool, device);
        var (_, proposals) = EncoderProposals.Generate(torch.zeros(new long[] { 1, levelShapes.Total, d }, device: device), tokenMask, levelShapes);
        var valid = proposals.isinf().any(-1, true).logical_not();                                    // [1, S, 1]
        bool allValid = valid.all().item<bool>();
        // as SineEncoding: temperature ** (2 * (arange(F) // 2) / F) in float32
        long f = d / 2;
        var exponent = torch.arange(f, ScalarType.Float32, device).floor_divide(2).mul(2).div(f);
        var divisors = torch.full(new[] { f }, 10000.0, ScalarType.Float32, device).pow(exponent);
        return new DinoExportConstants
        {
            Shapes = levelShapes, Position = TensorValues.Floats(position), EncoderPoints = TensorValues.Floats(points),
            Proposals = TensorValues.Floats(proposals), Valid = allValid ? null : TensorValues.Floats(valid.to(ScalarType.Float32)),
            SineDivisors = TensorValues.Floats(divisors),
        };
    }
}
