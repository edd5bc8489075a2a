using DetrSharp.Torch;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// Builds DETR from a <see cref="DetrConfig"/> as the reference's build functions do (build_backbone,
/// build_position_encoding, build_transformer with return_intermediate_dec = true, DETR(...)).
/// </summary>
public static class DetrBuilder
{
    /// <summary>The whole model (models/detr.py build, without criterion and post-processors).</summary>
    public static DETR Build(DetrConfig config, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var backbone = BuildBackbone(config, device);
        var transformer = BuildTransformer(config, device);
        return new DETR(backbone, transformer, config.NumClasses, config.NumQueries, config.AuxLoss, device, config.AnchorBoxes);
    }

    /// <summary>Backbone and position encoding (models/backbone.py build_backbone).</summary>
    public static Joiner BuildBackbone(DetrConfig config, Device? device = null)
    {
        var position = BuildPositionEncoding(config, device);
        var backbone = new Backbone(config.BackboneDepth, config.TrainBackbone, config.ReturnIntermediateLayers, config.Dilation,
            config.BackboneNorm, device, config.BackboneStages, config.FreezeStem);
        return new Joiner(backbone, position);
    }

    /// <summary>The position encoding with hidden_dim / 2 features per axis (models/position_encoding.py).</summary>
    public static PositionEmbedding BuildPositionEncoding(DetrConfig config, Device? device = null)
    {
        long steps = config.HiddenDim / 2;
        return config.PositionEmbedding switch
        {
            PositionEmbeddingKind.Sine => new PositionEmbeddingSine(steps, normalize: true),
            PositionEmbeddingKind.Learned => new PositionEmbeddingLearned(steps, device),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.PositionEmbedding, "unknown position embedding"),
        };
    }

    /// <summary>The transformer (models/transformer.py build_transformer).</summary>
    public static Transformer BuildTransformer(DetrConfig config, Device? device = null)
        => new(config.HiddenDim, config.NHeads, config.EncLayers, config.DecLayers, config.DimFeedforward, config.Dropout,
            TransformerActivation.ReLU, config.PreNorm, returnIntermediateDec: true, device, config.AnchorBoxes);
}
