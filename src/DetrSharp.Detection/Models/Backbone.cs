using DetrSharp.Torch;

namespace DetrSharp.Detection.Models;

/// <summary>
/// DETR's <c>Backbone</c> (BackboneBase): a <see cref="ResNet"/> registered as child <c>body</c>, whose stem and
/// layer1 are frozen (every parameter whose name lacks layer2/3/4 gets requires_grad false; all of them when
/// the backbone is not trained, i.e. lr_backbone is 0). Its forward turns a padded batch into feature maps,
/// each with the padding mask resized to it.
/// </summary>
public sealed class Backbone : nn.Module<NestedTensor, NestedTensor[]>
{
    readonly ResNet _body;

    /// <param name="depth">ResNet-18/34/50/101</param>
    /// <param name="trainBackbone">false freezes every parameter (the reference's lr_backbone = 0)</param>
    /// <param name="returnIntermediateLayers">return layer1..layer4 instead of layer4 alone (the reference's args.masks)</param>
    /// <param name="dilation">DC5: replace layer4's stride by dilation (output stride 16)</param>
    /// <param name="norm">frozen batch norm as DETR, or trainable batch norm</param>
    /// <param name="stages">4, or 3 (2) to end after layer3 (layer2): output stride 16 (8) for small images</param>
    /// <param name="freezeStem">freeze the stem and layer1 as DETR does for a pretrained body; false trains them too
    /// (training from scratch, where they would otherwise stay random)</param>
    public Backbone(ResNetDepth depth, bool trainBackbone = true, bool returnIntermediateLayers = false, bool dilation = false,
        ResNetNorm norm = ResNetNorm.Frozen, Device? device = null, int stages = 4, bool freezeStem = true) : base(nameof(Backbone))
    {
        if (dilation && stages < 4)
            throw new ArgumentException($"Backbone: dilation (DC5) changes layer4, which a {stages}-stage body does not have", nameof(dilation));
        _body = register_module("body", new ResNet(depth, new[] { false, false, dilation }, norm, device, stages));
        TrainBackbone = trainBackbone;
        ReturnIntermediateLayers = returnIntermediateLayers;
        Dilation = dilation;
        foreach (var (name, p) in _body.named_parameters())
            if (!trainBackbone || (freezeStem && !name.Contains("layer2") && !name.Contains("layer3") && !name.Contains("layer4")))
                p.requires_grad = false;
    }

    /// <summary>The ResNet body (child <c>body</c>).</summary>
    public ResNet Body => _body;

    /// <summary>
    /// The state-dict prefixes (relative to this module) of the first <paramref name="count"/> parts of the body, as
    /// detectron2's FREEZE_AT counts them: 1 the stem (conv1, bn1), 2 the stem and layer1, ... 1 + stages the whole body.
    /// </summary>
    /// <exception cref="ArgumentException">count is not in 1 .. 1 + the stages built</exception>
    public IReadOnlyList<string> LeadingPrefixes(int count)
    {
        int most = 1 + _body.Stages;
        if (count < 1 || count > most)
            throw new ArgumentException(
                $"--freeze N for a ResNet backbone counts the stem (1) and then its {_body.Stages} stages layer1..layer{_body.Stages}: N must be 1..{most}; got {count}");
        var prefixes = new List<string> { "body.conv1.", "body.bn1." };
        for (int i = 1; i < count; i++) prefixes.Add($"body.layer{i}.");
        return prefixes;
    }

    /// <summary>Whether layer2..layer4 are trained.</summary>
    public bool TrainBackbone { get; }

    /// <summary>Whether all four stages are returned.</summary>
    public bool ReturnIntermediateLayers { get; }

    /// <summary>Whether layer4 is dilated (DC5).</summary>
    public bool Dilation { get; }

    /// <summary>Channels of the last feature map: 512 (ResNet-18/34) or 2048 (ResNet-50/101), as the reference's
    /// num_channels; 256 or 1024 for a body ending at layer3.</summary>
    public long NumChannels => _body.StageChannels[^1];

    /// <summary>Channels of each returned feature map, in order.</summary>
    public long[] Channels => ReturnIntermediateLayers ? _body.StageChannels : new[] { _body.StageChannels[^1] };

    /// <summary>Stride of each returned feature map relative to the input, in order.</summary>
    public long[] Strides
    {
        get
        {
            long[] all = new long[] { 4, 8, 16, Dilation ? 16 : 32 }[.._body.Stages];
            return ReturnIntermediateLayers ? all : new[] { all[^1] };
        }
    }

    /// <summary>Feature maps of the padded batch, each with its own mask.</summary>
    /// <param name="samples">tensors [batch, 3, H, W]; mask [batch, H, W], true on padding</param>
    /// <returns>one NestedTensor per returned stage: [batch, Channels[i], h_i, w_i] and mask [batch, h_i, w_i]</returns>
    public override NestedTensor[] forward(NestedTensor samples)
    {
        var mask = samples.Mask
            ?? throw new ArgumentException("Backbone: the NestedTensor has no mask; DETR needs the padding mask [batch, H, W]", nameof(samples));
        var features = _body.ForwardFeatures(samples.Tensors, ReturnIntermediateLayers);
        var result = new NestedTensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var x = features[i];                                              // [B, C_i, h_i, w_i]
            result[i] = new NestedTensor(x, NestedTensor.ResizeMask(mask, x.size(-2), x.size(-1))); // mask [B, h_i, w_i]
        }
        return result;
    }
}
