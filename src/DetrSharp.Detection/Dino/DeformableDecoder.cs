using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's deformable <c>TransformerDecoder</c>: <c>layers</c>, the final <c>norm</c> applied to every layer's
/// output, <c>ref_point_head</c> (MLP 2·d → d → d of the box's sine embedding = the query position), and the box
/// and class heads the model shares with it (<c>bbox_embed</c>, <c>class_embed</c>). Each layer refines the boxes:
/// new = sigmoid(bbox_embed[l](output) + inverse_sigmoid(box)); the next layer gets it detached while the
/// returned list keeps it undetached (look forward twice).
/// </summary>
public sealed class DeformableDecoder : nn.Module
{
    readonly ModuleList<DeformableDecoderLayer> _layers;
    readonly LayerNorm _norm;
    readonly MLP _refPointHead;
    readonly long _dModel;
    ModuleList<MLP>? _bboxEmbed;

    public DeformableDecoder(IEnumerable<DeformableDecoderLayer> layers, long dModel, Device? device = null) : base(nameof(DeformableDecoder))
    {
        // the query sine embedding has hidden_dim / 2 frequencies per coordinate (the reference's fixed 128 at its 256)
        if (dModel <= 0 || dModel % 2 != 0)
            throw new ArgumentException($"DeformableDecoder: hidden_dim must be positive and even (the query sine embedding has hidden_dim / 2 frequencies per coordinate), got {dModel}", nameof(dModel));
        _layers = register_module("layers", new ModuleList<DeformableDecoderLayer>(layers.ToArray()));
        _norm = register_module("norm", nn.LayerNorm(dModel, device: device));
        _refPointHead = register_module("ref_point_head", new MLP(2 * dModel, dModel, dModel, 2, device));
        _dModel = dModel;
    }

    public ModuleList<DeformableDecoderLayer> Layers => _layers;

    /// <summary>Registers the model's per-layer heads under this decoder too (the reference assigns them).</summary>
    public void SetHeads(ModuleList<MLP> bboxEmbed, ModuleList<Linear> classEmbed)
    {
        if (bboxEmbed.Count != _layers.Count || classEmbed.Count != _layers.Count)
            throw new ArgumentException($"DeformableDecoder: needs one box and class head per layer ({_layers.Count}), got {bboxEmbed.Count} and {classEmbed.Count}");
        _bboxEmbed = register_module("bbox_embed", bboxEmbed);
        register_module("class_embed", classEmbed);
    }

    /// <param name="tgt">[N, Q, C] initial query content</param>
    /// <param name="memory">[N, S, C]</param>
    /// <param name="memoryPaddingMask">[N, S] bool</param>
    /// <param name="refpointsUnsigmoid">[N, Q, 4] initial boxes in logit space</param>
    /// <param name="shapes">the levels' (H, W)</param>
    /// <param name="validRatios">[N, L, 2]</param>
    /// <param name="attnMask">[Q, Q] bool self-attention mask (true = blocked), or null</param>
    /// <returns>hs: per layer [N, Q, C] (after the final norm); references: the initial boxes then each layer's
    /// refined boxes, undetached, [N, Q, 4] sigmoid cxcywh (layers + 1 of them)</returns>
    public (Tensor[] hs, Tensor[] references) forward(Tensor tgt, Tensor memory, Tensor memoryPaddingMask, Tensor refpointsUnsigmoid,
        LevelShapes shapes, Tensor validRatios, Tensor? attnMask)
    {
        if (_bboxEmbed is null) throw new InvalidOperationException("DeformableDecoder: the box heads were not set (SetHeads)");
        using var scope = torch.NewDisposeScope();
        var output = tgt;
        var reference = refpointsUnsigmoid.sigmoid();                                  // [N, Q, 4]
        var references = new List<Tensor> { reference };
        var hs = new List<Tensor>();
        var ratios4 = torch.cat(new[] { validRatios, validRatios }, -1).unsqueeze(1);  // [N, 1, L, 4]
        for (int l = 0; l < _layers.Count; l++)
        {
            var refInput = reference.unsqueeze(2).mul(ratios4);                        // [N, Q, L, 4]
            var sine = AnchorMath.SineEmbedding(refInput.select(2, 0), _dModel / 2);  // [N, Q, 2C]
            var queryPos = _refPointHead.call(sine);                                   // [N, Q, C]
            output = _layers[l].forward(output, queryPos, refInput, memory, memoryPaddingMask, shapes, attnMask);
            var delta = _bboxEmbed[l].call(output);                                    // [N, Q, 4]
            var refined = delta.add(AnchorMath.InverseSigmoid(reference)).sigmoid();   // [N, Q, 4]
            reference = refined.detach();
            references.Add(refined);
            hs.Add(_norm.call(output));
        }
        var hsOut = hs.ToArray();
        var refOut = references.ToArray();
        scope.MoveToOuter(hsOut);
        scope.MoveToOuter(refOut);
        return (hsOut, refOut);
    }
}
