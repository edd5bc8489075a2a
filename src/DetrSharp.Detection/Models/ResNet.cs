using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Models;

/// <summary>
/// torchvision's ResNet without its classifier (avgpool, fc): the body DETR's backbone wraps, with torchvision's
/// parameter names (conv1, bn1, layer1..layer4, each block's conv/bn and <c>downsample.0/.1</c>), so pretrained
/// torchvision weights load directly (see <see cref="LoadTorchvisionStateDict"/>).
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d _conv1;
    readonly nn.Module<Tensor, Tensor> _bn1;
    readonly MaxPool2d _maxpool;
    readonly Sequential[] _stages;
    long _inplanes = 64, _dilation = 1;

    /// <param name="depth">18, 34, 50 or 101 layers</param>
    /// <param name="replaceStrideWithDilation">for layer2..layer4: replace the stride-2 by dilation (DETR's DC5 is [false, false, true])</param>
    /// <param name="norm">frozen (DETR) or trainable batch norm</param>
    /// <param name="stages">4 (torchvision's ResNet), or 1..3 to stop after that stage (e.g. 3: output stride 16 and a
    /// quarter of the parameters, for small images); the stages not built are absent from the state dict</param>
    public ResNet(ResNetDepth depth, bool[]? replaceStrideWithDilation = null, ResNetNorm norm = ResNetNorm.Frozen, Device? device = null,
        int stages = 4)
        : base(nameof(ResNet))
    {
        if (stages is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(stages), $"ResNet: stages must be 1..4, got {stages}");
        replaceStrideWithDilation ??= new[] { false, false, false };
        if (replaceStrideWithDilation.Length != 3)
            throw new ArgumentException($"ResNet: replaceStrideWithDilation needs 3 values (layer2..layer4), got {replaceStrideWithDilation.Length}",
                nameof(replaceStrideWithDilation));
        Depth = depth;
        Norm = norm;
        _conv1 = register_module("conv1", nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false, device: device));
        _bn1 = register_module("bn1", norm.Create(64, device));
        register_module("relu", nn.ReLU(inplace: true));
        _maxpool = register_module("maxpool", nn.MaxPool2d(3, stride: 2, padding: 1));
        var layers = depth.Layers();
        _stages = new Sequential[stages];
        long[] planes = { 64, 128, 256, 512 };
        for (int i = 0; i < stages; i++)
        {
            long stride = i == 0 ? 1 : 2;
            bool dilate = i > 0 && replaceStrideWithDilation[i - 1];
            _stages[i] = register_module($"layer{i + 1}", MakeLayer(planes[i], layers[i], stride, dilate, device));
        }
        InitWeights();
    }

    /// <summary>The variant built.</summary>
    public ResNetDepth Depth { get; }

    /// <summary>The normalisation layers used.</summary>
    public ResNetNorm Norm { get; }

    /// <summary>Stages built (layer1..layerN): 4, or fewer for a truncated body.</summary>
    public int Stages => _stages.Length;

    /// <summary>Output channels of the stages built (64/128/256/512 × the block's expansion).</summary>
    public long[] StageChannels
    {
        get
        {
            long e = Depth.UsesBottleneck() ? Bottleneck.Expansion : BasicBlock.Expansion;
            return new[] { 64 * e, 128 * e, 256 * e, 512 * e }[..Stages];
        }
    }

    // torchvision's _make_layer: dilation replaces the stride; the first block keeps the previous dilation.
    Sequential MakeLayer(long planes, int blocks, long stride, bool dilate, Device? device)
    {
        bool bottleneck = Depth.UsesBottleneck();
        long expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        long previousDilation = _dilation;
        if (dilate)
        {
            _dilation *= stride;
            stride = 1;
        }
        Sequential? downsample = null;
        if (stride != 1 || _inplanes != planes * expansion)
            downsample = nn.Sequential(
                nn.Conv2d(_inplanes, planes * expansion, 1, stride: stride, bias: false, device: device),
                Norm.Create(planes * expansion, device));
        var layer = new List<nn.Module<Tensor, Tensor>> { Block(_inplanes, planes, stride, downsample, previousDilation, device) };
        _inplanes = planes * expansion;
        for (int b = 1; b < blocks; b++) layer.Add(Block(_inplanes, planes, 1, null, _dilation, device));
        return nn.Sequential(layer.ToArray());
    }

    nn.Module<Tensor, Tensor> Block(long inplanes, long planes, long stride, Sequential? downsample, long dilation, Device? device)
        => Depth.UsesBottleneck()
            ? new Bottleneck(inplanes, planes, stride, downsample, dilation, Norm, device)
            : new BasicBlock(inplanes, planes, stride, downsample, dilation, Norm, device);

    // torchvision: kaiming_normal_(fan_out, relu) on convolutions; BatchNorm weight 1, bias 0 (already so).
    void InitWeights()
    {
        foreach (var m in modules())
            if (m is Conv2d conv)
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
    }

    /// <summary>Runs the stem and every stage; returns the last stage's output.</summary>
    /// <param name="x">[batch, 3, H, W]</param>
    /// <returns>[batch, StageChannels[^1], H / 32, W / 32] (H / 16 with a dilated layer4 or without layer4)</returns>
    public override Tensor forward(Tensor x) => ForwardFeatures(x, returnIntermediateLayers: false)[0];

    /// <summary>
    /// The outputs of layer1..layer4 (or layer4 alone), as DETR's <c>IntermediateLayerGetter</c> with
    /// return_layers {layer1: "0", ..., layer4: "3"} (or {layer4: "0"}); a truncated body ends at its last stage.
    /// </summary>
    /// <param name="x">[batch, 3, H, W]</param>
    /// <returns>each [batch, StageChannels[i], H / stride_i, W / stride_i], strides 4, 8, 16, 32 without dilation</returns>
    public Tensor[] ForwardFeatures(Tensor x, bool returnIntermediateLayers)
    {
        if (x.dim() != 4 || x.size(1) != 3)
            throw new ArgumentException($"ResNet: input must be [batch, 3, height, width], got shape {ShapeText.Format(x)}", nameof(x));
        using var scope = torch.NewDisposeScope();
        var input = x.to_layout_of(_conv1.weight) ?? x;              // channels_last when the model was built so
        var y = _maxpool.call(_bn1.call(_conv1.call(input)).relu_()); // [B, 64, H/4, W/4]
        var outputs = new List<Tensor>(4);
        for (int i = 0; i < _stages.Length; i++)
        {
            y = _stages[i].call(y);
            if (returnIntermediateLayers || i == _stages.Length - 1) outputs.Add(y);
        }
        foreach (var o in outputs) scope.MoveToOuter(o);
        return outputs.ToArray();
    }

    /// <summary>
    /// Loads a torchvision ResNet state dict (e.g. an ImageNet checkpoint read with torch.load), skipping the
    /// classifier (<c>fc.*</c>) that this body does not have; strict on every other key.
    /// </summary>
    public LoadStateDictResult LoadTorchvisionStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        var body = stateDict.Where(kv => !kv.Key.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return load_state_dict(body, strict);
    }
}
