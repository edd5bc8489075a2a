using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR (facebookresearch/detr models/detr.py): backbone + position encoding (<see cref="Joiner"/>), a 1×1
/// <c>input_proj</c> to hidden_dim, the <see cref="Transformer"/> with learned queries (<c>query_embed</c>),
/// and per decoder layer a class head (<c>class_embed</c>, classes + 1 with no-object last) and a box head
/// (<c>bbox_embed</c>, 3-layer MLP, sigmoid). Children registered in the reference's order (transformer,
/// class_embed, bbox_embed, query_embed, input_proj, backbone), so state_dict() equals PyTorch's.
/// With anchor boxes (DAB-DETR's queries) <c>query_embed</c> is replaced by <c>refpoint_embed</c> [queries, 4]: each query
/// starts from its own learned box, its position in every decoder layer is derived from that box, and the box head
/// predicts offsets layer by layer (<see cref="Transformer.ForwardAnchored"/>); the matcher and losses are unchanged.
/// </summary>
public sealed class DETR : nn.Module<NestedTensor, DetrOutput>
{
    readonly Transformer _transformer;
    readonly Linear _classEmbed;
    readonly MLP _bboxEmbed;
    readonly Embedding _queryEmbed;
    readonly Conv2d _inputProj;
    readonly Joiner _backbone;

    /// <param name="backbone">the backbone and position encoding</param>
    /// <param name="transformer">the transformer (build it with returnIntermediateDec = true for auxiliary outputs)</param>
    /// <param name="numClasses">the reference's num_classes: the largest class id + 1 (91 for COCO); the head has one more (no-object)</param>
    /// <param name="numQueries">object queries, the most detections per image</param>
    /// <param name="auxLoss">also return the predictions of every earlier decoder layer</param>
    /// <param name="anchorBoxes">DAB-DETR's anchor-box queries (build the transformer with anchorBoxes = true)</param>
    public DETR(Joiner backbone, Transformer transformer, long numClasses, long numQueries, bool auxLoss = false, Device? device = null,
        bool anchorBoxes = false)
        : base(nameof(DETR))
    {
        if (anchorBoxes != transformer.Decoder.HasAnchors)
            throw new ArgumentException($"DETR: anchorBoxes is {anchorBoxes} but the transformer was built {(transformer.Decoder.HasAnchors ? "with" : "without")} them", nameof(anchorBoxes));
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "DETR: num_classes must be ≥ 1");
        if (numQueries < 1) throw new ArgumentOutOfRangeException(nameof(numQueries), numQueries, "DETR: num_queries must be ≥ 1");
        if (auxLoss && !transformer.Decoder.ReturnIntermediate && transformer.Decoder.Layers.Count > 1)
            throw new ArgumentException("DETR: aux_loss needs a transformer built with returnIntermediateDec = true", nameof(auxLoss));
        long hidden = transformer.DModel;
        NumClasses = numClasses;
        NumQueries = numQueries;
        AuxLoss = auxLoss;
        _transformer = register_module("transformer", transformer);
        _classEmbed = register_module("class_embed", nn.Linear(hidden, numClasses + 1, device: device));
        _bboxEmbed = register_module("bbox_embed", new MLP(hidden, hidden, 4, 3, device));
        _queryEmbed = anchorBoxes
            ? register_module("refpoint_embed", nn.Embedding(numQueries, 4, device: device))
            : register_module("query_embed", nn.Embedding(numQueries, hidden, device: device));
        if (anchorBoxes) InitAnchors();
        _inputProj = register_module("input_proj", nn.Conv2d(backbone.NumChannels, hidden, 1, device: device));
        _backbone = register_module("backbone", backbone);
    }

    // DAB-DETR: centres uniform over the image (random_refpoints_xy), sizes from the embedding's normal init, both in
    // logit space; the box head's last layer starts at zero so every query's first box is its anchor.
    void InitAnchors()
    {
        using var _ = torch.no_grad();
        using var xy = _queryEmbed.weight.narrow(1, 0, 2);
        nn.init.uniform_(xy, 0, 1);
        using var logits = AnchorMath.InverseSigmoid(xy);
        xy.copy_(logits);
        var last = _bboxEmbed.Layers[_bboxEmbed.Layers.Count - 1];
        nn.init.zeros_(last.weight);
        if (last.bias is { } bias) nn.init.zeros_(bias);
    }

    /// <summary>Whether the queries are anchor boxes (refpoint_embed) rather than DETR's learned positions.</summary>
    public bool AnchorBoxes => _transformer.Decoder.HasAnchors;

    /// <summary>Classes without the no-object one.</summary>
    public long NumClasses { get; }

    /// <summary>Object queries.</summary>
    public long NumQueries { get; }

    /// <summary>Whether auxiliary (per decoder layer) outputs are returned.</summary>
    public bool AuxLoss { get; }

    /// <summary>Width of the transformer.</summary>
    public long HiddenDim => _transformer.DModel;

    /// <summary>Backbone and position encoding (child <c>backbone</c>).</summary>
    public Joiner Backbone => _backbone;

    /// <summary>The transformer (child <c>transformer</c>).</summary>
    public Transformer Transformer => _transformer;

    /// <summary>
    /// Parameters of the backbone body (the reference's param group with lr_backbone) and the others, each
    /// with requires_grad true only.
    /// </summary>
    public (IReadOnlyList<Tensor> backbone, IReadOnlyList<Tensor> rest) ParameterGroups()
    {
        var backbone = new List<Tensor>();
        var rest = new List<Tensor>();
        foreach (var (name, p) in named_parameters())
        {
            if (!p.requires_grad) continue;
            (name.StartsWith("backbone.", StringComparison.Ordinal) ? backbone : rest).Add(p);
        }
        return (backbone, rest);
    }

    /// <summary>Pads the images into a batch (see <see cref="NestedTensor.FromTensorList"/>) and runs the model.</summary>
    /// <param name="images">each [3, h_i, w_i]</param>
    public DetrOutput forward(IReadOnlyList<Tensor> images)
    {
        using var samples = NestedTensor.FromTensorList(images);
        return forward(samples);
    }

    /// <param name="samples">tensors [batch, 3, H, W]; mask [batch, H, W], true on padding</param>
    /// <returns>pred_logits [batch, queries, classes + 1], pred_boxes [batch, queries, 4] (cx, cy, w, h normalised),
    /// and aux outputs for decoder layers 0..L-2</returns>
    public override DetrOutput forward(NestedTensor samples)
    {
        using var scope = torch.NewDisposeScope();
        var (features, pos) = _backbone.call(samples);
        var (src, mask) = features[^1].Decompose();                       // [B, C_backbone, h, w], [B, h, w]
        var projected = _inputProj.call(src);                             // [B, hidden, h, w]
        Tensor hs, outputsCoord;
        if (AnchorBoxes)
        {
            var anchors = _queryEmbed.weight.sigmoid();                   // [Q, 4]
            (hs, outputsCoord) = _transformer.ForwardAnchored(projected, mask!, anchors, pos[^1], h => _bboxEmbed.call(h)); // [L, B, Q, hidden], [L, B, Q, 4]
        }
        else
        {
            (hs, _) = _transformer.call(projected, mask!, _queryEmbed.weight, pos[^1]); // hs [L, B, Q, hidden]
            outputsCoord = _bboxEmbed.call(hs).sigmoid_();                // [L, B, Q, 4]
        }
        var outputsClass = _classEmbed.call(hs);                          // [L, B, Q, classes + 1]
        long layers = hs.size(0);
        var aux = new List<DetrOutput>();
        if (AuxLoss)
            for (long l = 0; l < layers - 1; l++)
                aux.Add(new DetrOutput(outputsClass.select(0, l), outputsCoord.select(0, l)));
        var output = new DetrOutput(outputsClass.select(0, layers - 1), outputsCoord.select(0, layers - 1), aux);
        return output.MoveToOuterDisposeScope();
    }
}
