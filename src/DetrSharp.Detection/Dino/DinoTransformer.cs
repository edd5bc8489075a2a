using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's <c>DeformableTransformer</c> with two-stage "standard" query selection: the levels flattened with their
/// positions + <c>level_embed</c>; the deformable encoder; <c>enc_output</c> + <c>enc_output_norm</c> and the
/// encoder heads (<c>enc_out_class_embed</c>, <c>enc_out_bbox_embed</c>) on every token; the top num_queries
/// tokens by best class logit give the decoder's initial boxes (proposal + predicted delta, detached) while the
/// content queries are the learned <c>tgt_embed</c>; denoising queries, when given, go in front.
/// </summary>
public sealed class DinoTransformer : nn.Module
{
    readonly DeformableEncoder _encoder;
    readonly DeformableDecoder _decoder;
    readonly Embedding _tgtEmbed;
    readonly Linear _encOutput;
    readonly LayerNorm _encOutputNorm;
    readonly MLP _encOutBboxEmbed;
    readonly Linear _encOutClassEmbed;

    public DinoTransformer(DinoConfig config, MLP encOutBboxEmbed, Linear encOutClassEmbed, Device? device = null) : base(nameof(DinoTransformer))
    {
        long d = config.HiddenDim;
        DModel = d;
        NumQueries = config.NumQueries;
        NumLevels = config.NumFeatureLevels;
        register_parameter("level_embed", torch.empty(new long[] { config.NumFeatureLevels, d }, device: device));
        _encoder = register_module("encoder", new DeformableEncoder(Enumerable.Range(0, config.EncLayers).Select(_ =>
            new DeformableEncoderLayer(d, config.DimFeedforward, config.Dropout, config.NumFeatureLevels, config.NHeads, config.EncNPoints, device))));
        _decoder = register_module("decoder", new DeformableDecoder(Enumerable.Range(0, config.DecLayers).Select(_ =>
            new DeformableDecoderLayer(d, config.DimFeedforward, config.Dropout, config.NumFeatureLevels, config.NHeads, config.DecNPoints, device)), d, device));
        _tgtEmbed = register_module("tgt_embed", nn.Embedding(config.NumQueries, d, device: device));
        _encOutput = register_module("enc_output", nn.Linear(d, d, device: device));
        _encOutputNorm = register_module("enc_output_norm", nn.LayerNorm(d, device: device));
        ResetParameters();
        _encOutBboxEmbed = register_module("enc_out_bbox_embed", encOutBboxEmbed);
        _encOutClassEmbed = register_module("enc_out_class_embed", encOutClassEmbed);
    }

    public long DModel { get; }
    public long NumQueries { get; }
    public int NumLevels { get; }
    public DeformableEncoder Encoder => _encoder;
    public DeformableDecoder Decoder => _decoder;
    public Tensor LevelEmbed => get_parameter("level_embed")!;
    public Linear EncOutClassEmbed => _encOutClassEmbed;

    /// <summary>The reference's _reset_parameters: xavier_uniform on every matrix, MSDeformAttn's own init, level_embed N(0, 1).</summary>
    void ResetParameters()
    {
        using var noGrad = torch.no_grad();
        foreach (var p in parameters())
            if (p.dim() > 1) nn.init.xavier_uniform_(p);
        foreach (var m in modules())
            if (m is MSDeformAttn attn) attn.ResetParameters();
        nn.init.normal_(LevelEmbed);
    }

    /// <summary>Unpadded fraction of a level's width and height (get_valid_ratio).</summary>
    /// <param name="mask">[N, H, W] bool, true on padding</param>
    /// <returns>[N, 2] (w, h)</returns>
    static Tensor ValidRatio(Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        long h = mask.size(1), w = mask.size(2);
        var validH = mask.select(2, 0).logical_not().sum(1, false, ScalarType.Int64).to(ScalarType.Float32).div(h);
        var validW = mask.select(1, 0).logical_not().sum(1, false, ScalarType.Int64).to(ScalarType.Float32).div(w);
        return scope.MoveToOuter(torch.stack(new[] { validW, validH }, -1));
    }

    /// <param name="srcs">per level [N, C, H_l, W_l] projected features</param>
    /// <param name="masks">per level [N, H_l, W_l] bool, true on padding</param>
    /// <param name="posEmbeds">per level [N, C, H_l, W_l]</param>
    /// <param name="dnQueries">denoising queries [N, pad, C] content and [N, pad, 4] logit boxes, or null</param>
    /// <param name="attnMask">[pad + Q, pad + Q] bool, true = blocked, or null</param>
    public DinoTransformerOutput forward(IReadOnlyList<Tensor> srcs, IReadOnlyList<Tensor> masks, IReadOnlyList<Tensor> posEmbeds,
        (Tensor content, Tensor boxesUnsigmoid)? dnQueries, Tensor? attnMask)
    {
        if (srcs.Count != NumLevels || masks.Count != NumLevels || posEmbeds.Count != NumLevels)
            throw new ArgumentException($"DinoTransformer: expected {NumLevels} levels of features, masks and positions, got {srcs.Count}, {masks.Count}, {posEmbeds.Count}");
        using var scope = torch.NewDisposeScope();
        var shapeList = new List<(long, long)>();
        var srcFlat = new Tensor[NumLevels];
        var maskFlat = new Tensor[NumLevels];
        var posFlat = new Tensor[NumLevels];
        for (int l = 0; l < NumLevels; l++)
        {
            long h = srcs[l].size(2), w = srcs[l].size(3);
            shapeList.Add((h, w));
            srcFlat[l] = srcs[l].flatten(2).transpose(1, 2);                                   // [N, H·W, C]
            maskFlat[l] = masks[l].flatten(1);                                                 // [N, H·W]
            posFlat[l] = posEmbeds[l].flatten(2).transpose(1, 2).add(LevelEmbed[l].view(1, 1, -1)); // [N, H·W, C]
        }
        var shapes = new LevelShapes(shapeList);
        var src = torch.cat(srcFlat, 1);                                                       // [N, S, C]
        var mask = torch.cat(maskFlat, 1);                                                     // [N, S]
        var pos = torch.cat(posFlat, 1);                                                       // [N, S, C]
        var validRatios = torch.stack(masks.Select(ValidRatio).ToArray(), 1);                  // [N, L, 2]

        var memory = _encoder.forward(src, pos, shapes, validRatios, mask);                   // [N, S, C]

        // two-stage "standard": score every token, keep the top num_queries
        var (outputMemory, proposals) = EncoderProposals.Generate(memory, mask, shapes);     // [N, S, C], [N, S, 4]
        outputMemory = _encOutputNorm.call(_encOutput.call(outputMemory));
        var classUnselected = _encOutClassEmbed.call(outputMemory);                            // [N, S, K]
        var coordUnselected = _encOutBboxEmbed.call(outputMemory).add(proposals);              // [N, S, 4] logit
        long n = src.size(0);
        long k = NumQueries;
        if (k > src.size(1))
            throw new ArgumentException($"DinoTransformer: {k} queries but only {src.size(1)} encoder tokens to select them from", nameof(srcs));
        var topk = classUnselected.max(-1).values.topk(k, 1).indices;                          // [N, Q]
        var boxIndex = topk.unsqueeze(-1).expand(n, k, 4);
        var refUndetached = coordUnselected.gather(1, boxIndex);                               // [N, Q, 4] logit
        var refpoints = refUndetached.detach();
        var initBoxProposal = proposals.gather(1, boxIndex).sigmoid();                         // [N, Q, 4]
        var tgtUndetached = outputMemory.gather(1, topk.unsqueeze(-1).expand(n, k, DModel));   // [N, Q, C]
        var tgt = _tgtEmbed.weight.unsqueeze(0).expand(n, k, DModel);                          // [N, Q, C]
        if (dnQueries is { } dn)
        {
            refpoints = torch.cat(new[] { dn.boxesUnsigmoid, refpoints }, 1);                  // [N, pad + Q, 4]
            tgt = torch.cat(new[] { dn.content, tgt }, 1);                                     // [N, pad + Q, C]
        }
        var (hs, references) = _decoder.forward(tgt, memory, mask, refpoints, shapes, validRatios, attnMask);
        var result = new DinoTransformerOutput(hs, references, tgtUndetached, refUndetached.sigmoid(), initBoxProposal);
        result.MoveToOuter(scope);
        return result;
    }
}

/// <summary>What <see cref="DinoTransformer"/> returns.</summary>
/// <param name="Hs">per decoder layer [N, pad + Q, C], after the decoder's norm</param>
/// <param name="References">initial boxes then each layer's refined ones (undetached), [N, pad + Q, 4] sigmoid</param>
/// <param name="HsEnc">[N, Q, C] the selected tokens' encoder output (tgt_undetach)</param>
/// <param name="RefEnc">[N, Q, 4] the selected tokens' predicted boxes, sigmoid (undetached)</param>
/// <param name="InitBoxProposal">[N, Q, 4] the selected tokens' anchor boxes, sigmoid</param>
public sealed record DinoTransformerOutput(Tensor[] Hs, Tensor[] References, Tensor HsEnc, Tensor RefEnc, Tensor InitBoxProposal)
{
    internal void MoveToOuter(DisposeScope scope)
    {
        scope.MoveToOuter(Hs);
        scope.MoveToOuter(References);
        scope.MoveToOuter(HsEnc, RefEnc, InitBoxProposal);
    }
}
