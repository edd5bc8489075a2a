using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO (IDEA-Research/DINO models/dino/dino.py) with the reference's module names, so an official checkpoint's
/// <c>model</c> dict loads strictly: <c>transformer</c>, <c>label_enc</c>, <c>input_proj</c> (conv + GroupNorm(32)
/// per backbone level, then 3×3 stride-2 convs for the extra levels), <c>backbone</c>, <c>bbox_embed</c> and
/// <c>class_embed</c> (one per decoder layer, shared or not per the config; the decoder holds the same heads).
/// </summary>
public sealed class DINO : nn.Module
{
    readonly DinoTransformer _transformer;
    readonly Embedding _labelEnc;
    readonly ModuleList<Sequential> _inputProj;
    readonly Joiner _backbone;
    readonly ModuleList<MLP> _bboxEmbed;
    readonly ModuleList<Linear> _classEmbed;

    public DINO(Joiner backbone, DinoConfig config, Device? device = null) : base("DINO")
    {
        config.ValidateModel();
        Config = config;
        long d = config.HiddenDim;
        var classEmbed = nn.Linear(d, config.NumClasses, device: device);
        var bboxEmbed = new MLP(d, d, 4, 3, device);
        using (torch.no_grad())
        {
            nn.init.constant_(classEmbed.bias!, -Math.Log((1 - 0.01) / 0.01));   // prior probability 0.01
            nn.init.zeros_(bboxEmbed.Layers[^1].weight);
            nn.init.zeros_(bboxEmbed.Layers[^1].bias!);
        }
        var bboxList = Enumerable.Range(0, config.DecLayers).Select(i => i == 0 || config.DecPredBboxEmbedShare ? bboxEmbed : Copy(bboxEmbed, device)).ToArray();
        var classList = Enumerable.Range(0, config.DecLayers).Select(i => i == 0 || config.DecPredClassEmbedShare ? classEmbed : Copy(classEmbed, device)).ToArray();
        var encBbox = config.TwoStageBboxEmbedShare ? bboxEmbed : Copy(bboxEmbed, device);
        var encClass = config.TwoStageClassEmbedShare ? classEmbed : Copy(classEmbed, device);

        _transformer = register_module("transformer", new DinoTransformer(config, encBbox, encClass, device));
        _labelEnc = register_module("label_enc", nn.Embedding(config.LabelbookSize + 1, d, device: device));
        var channels = backbone.Channels;
        if (config.NumFeatureLevels < channels.Length)
            throw new ArgumentException($"DINO: {config.NumFeatureLevels} feature levels but the backbone returns {channels.Length}", nameof(config));
        var projections = new List<Sequential>();
        foreach (var c in channels)
            projections.Add(nn.Sequential(nn.Conv2d(c, d, 1, device: device), nn.GroupNorm(32, d, device: device)));
        long inChannels = channels[^1];
        for (int l = channels.Length; l < config.NumFeatureLevels; l++)
        {
            projections.Add(nn.Sequential(nn.Conv2d(inChannels, d, 3, stride: 2, padding: 1, device: device), nn.GroupNorm(32, d, device: device)));
            inChannels = d;
        }
        _inputProj = register_module("input_proj", new ModuleList<Sequential>(projections.ToArray()));
        _backbone = register_module("backbone", backbone);
        _bboxEmbed = register_module("bbox_embed", new ModuleList<MLP>(bboxList));
        _classEmbed = register_module("class_embed", new ModuleList<Linear>(classList));
        _transformer.Decoder.SetHeads(_bboxEmbed, _classEmbed);
        using (torch.no_grad())
            foreach (var proj in projections)
            {
                var conv = (Conv2d)proj[0];
                nn.init.xavier_uniform_(conv.weight);
                nn.init.zeros_(conv.bias!);
            }
    }

    public DinoConfig Config { get; }
    public DinoTransformer Transformer => _transformer;
    public Joiner Backbone => _backbone;
    public Embedding LabelEnc => _labelEnc;

    static MLP Copy(MLP source, Device? device)
    {
        var copy = new MLP(source.Layers[0].in_features, source.Layers[0].out_features, source.Layers[^1].out_features, source.Layers.Count, device);
        CopyState(source, copy);
        return copy;
    }

    static Linear Copy(Linear source, Device? device)
    {
        var copy = nn.Linear(source.in_features, source.out_features, device: device);
        CopyState(source, copy);
        return copy;
    }

    static void CopyState(nn.Module source, nn.Module target)
    {
        var sd = source.state_dict();
        target.load_state_dict(sd);
        foreach (var t in sd.Values) t.Dispose();
    }

    /// <summary>
    /// Projected multi-scale features, their masks and positions: the backbone levels through input_proj, then the
    /// extra levels (3×3 stride-2 convs on the last backbone map, then on the previous extra level) with masks
    /// resized from the image mask.
    /// </summary>
    (Tensor[] srcs, Tensor[] masks, Tensor[] pos) MultiScale(NestedTensor samples)
    {
        var (features, poss) = _backbone.call(samples);
        var srcs = new List<Tensor>();
        var masks = new List<Tensor>();
        var pos = new List<Tensor>(poss);
        for (int l = 0; l < features.Length; l++)
        {
            srcs.Add(_inputProj[l].call(features[l].Tensors));                        // [B, d, h_l, w_l]
            masks.Add(features[l].Mask ?? throw new ArgumentException("DINO: the backbone returned a level without a mask", nameof(samples)));
        }
        var imageMask = samples.Mask ?? throw new ArgumentException("DINO: samples need the padding mask [B, H, W]", nameof(samples));
        for (int l = features.Length; l < Config.NumFeatureLevels; l++)
        {
            var src = _inputProj[l].call(l == features.Length ? features[^1].Tensors : srcs[^1]);
            var mask = NestedTensor.ResizeMask(imageMask, src.size(2), src.size(3));
            srcs.Add(src);
            masks.Add(mask);
            pos.Add(_backbone.Encode(new NestedTensor(src, mask))); // not disposed: src and mask are the level's
        }
        return (srcs.ToArray(), masks.ToArray(), pos.ToArray());
    }

    /// <param name="samples">tensors [B, 3, H, W]; mask [B, H, W], true on padding</param>
    /// <param name="dn">denoising queries (training), or null</param>
    public DinoOutput forward(NestedTensor samples, DnQueries? dn = null)
    {
        if (dn is not null) CheckDn(dn, samples.Tensors.size(0));
        using var scope = torch.NewDisposeScope();
        var (srcs, masks, pos) = MultiScale(samples);
        (Tensor, Tensor)? dnInputs = null;
        if (dn is not null)
        {
            var valid = dn.Labels.ge(0);                                                  // [B, pad]
            var content = _labelEnc.call(dn.Labels.clamp_min(0)).mul(valid.unsqueeze(-1).to(ScalarType.Float32)); // [B, pad, d]
            dnInputs = (content, dn.BoxesUnsigmoid);
        }
        var t = _transformer.forward(srcs, masks, pos, dnInputs, dn?.AttnMask);
        int layers = t.Hs.Length;
        var logits = new Tensor[layers];
        var boxes = new Tensor[layers];
        for (int l = 0; l < layers; l++)
        {
            var hs = l == 0 ? t.Hs[0].add(_labelEnc.weight[0, 0].mul(0.0)) : t.Hs[l];   // the reference's "in case num object = 0"
            // look forward twice: this layer's delta on the previous layer's undetached box
            boxes[l] = _bboxEmbed[l].call(hs).add(AnchorMath.InverseSigmoid(t.References[l])).sigmoid(); // [B, pad + Q, 4]
            logits[l] = _classEmbed[l].call(hs);                                                         // [B, pad + Q, K]
        }
        DinoDnOutput? dnOut = null;
        if (dn is not null && dn.PadSize > 0)
        {
            long pad = dn.PadSize;
            var known = Split(logits, boxes, 0, pad);
            dnOut = new DinoDnOutput(known, pad, dn.NumDnGroup);
            long total = logits[0].size(1);
            var main = Split(logits, boxes, pad, total - pad);
            logits = main.AuxOutputs.Select(a => a.PredLogits).Append(main.PredLogits).ToArray();
            boxes = main.AuxOutputs.Select(a => a.PredBoxes).Append(main.PredBoxes).ToArray();
        }
        var mainOut = new DinoPredictions(logits[^1], boxes[^1],
            Enumerable.Range(0, layers - 1).Select(l => new DinoPredictions(logits[l], boxes[l])).ToArray());
        var intermClass = _transformer.EncOutClassEmbed.call(t.HsEnc);                  // [B, Q, K]
        var output = new DinoOutput(mainOut, new DinoPredictions(intermClass, t.RefEnc), new DinoPredictions(intermClass, t.InitBoxProposal), dnOut);
        output.MoveToOuter(scope);
        return output;
    }

    void CheckDn(DnQueries dn, long batch)
    {
        long pad = dn.PadSize, size = pad + Config.NumQueries;
        if (!dn.Labels.shape.SequenceEqual(new[] { batch, pad }) || dn.Labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"DINO: dn labels must be int64 [{batch}, {pad}], got {dn.Labels.dtype.Name()} {ShapeText.Format(dn.Labels)}", nameof(dn));
        if (!dn.BoxesUnsigmoid.shape.SequenceEqual(new[] { batch, pad, 4L }))
            throw new ArgumentException($"DINO: dn boxes must be [{batch}, {pad}, 4], got {ShapeText.Format(dn.BoxesUnsigmoid)}", nameof(dn));
        if (!dn.AttnMask.shape.SequenceEqual(new[] { size, size }) || dn.AttnMask.dtype != ScalarType.Bool)
            throw new ArgumentException($"DINO: the dn attention mask must be bool [{size}, {size}] (pad + queries), got {dn.AttnMask.dtype.Name()} {ShapeText.Format(dn.AttnMask)}", nameof(dn));
        if (dn.NumDnGroup < 1 || (pad > 0 && pad % dn.NumDnGroup != 0))
            throw new ArgumentException($"DINO: pad_size {pad} must be a multiple of the {dn.NumDnGroup} dn groups", nameof(dn));
    }

    /// <summary>Queries [start, start + length) of every layer, as dn_post_process splits them.</summary>
    static DinoPredictions Split(Tensor[] logits, Tensor[] boxes, long start, long length)
    {
        int layers = logits.Length;
        var aux = Enumerable.Range(0, layers - 1).Select(l => new DinoPredictions(logits[l].narrow(1, start, length), boxes[l].narrow(1, start, length))).ToArray();
        return new DinoPredictions(logits[^1].narrow(1, start, length), boxes[^1].narrow(1, start, length), aux);
    }

    /// <summary>Same as <see cref="forward"/>.</summary>
    public DinoOutput call(NestedTensor samples, DnQueries? dn = null) => forward(samples, dn);
}
