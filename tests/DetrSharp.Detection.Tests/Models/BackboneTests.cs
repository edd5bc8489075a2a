using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>Backbone structure, freezing, output strides and mask resizing.</summary>
public class BackboneTests
{
    [Fact]
    public void StemAndLayer1AreFrozenAndTheRestTrains()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new Backbone(ResNetDepth.ResNet18);
        foreach (var (name, p) in backbone.named_parameters())
        {
            bool trains = name.Contains("layer2") || name.Contains("layer3") || name.Contains("layer4");
            Assert.True(trains == p.requires_grad, $"{name}: requires_grad {p.requires_grad}");
        }
        // FrozenBatchNorm2d holds buffers only, without num_batches_tracked.
        Assert.DoesNotContain(backbone.named_parameters(), p => p.name.Contains("bn"));
        Assert.DoesNotContain(backbone.state_dict().Keys, k => k.EndsWith("num_batches_tracked"));
    }

    [Fact]
    public void NothingTrainsWhenTheBackboneLearningRateIsZero()
    {
        using var model = DetrBuilder.Build(Tiny() with { TrainBackbone = false });
        Assert.All(model.named_parameters().Where(p => p.name.StartsWith("backbone.")), p => Assert.False(p.parameter.requires_grad, p.name));
        Assert.Empty(model.ParameterGroups().backbone);
        Assert.NotEmpty(model.ParameterGroups().rest);
    }

    [Fact]
    public void TrainableBatchNormHasParametersAndStatistics()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new Backbone(ResNetDepth.ResNet18, norm: ResNetNorm.BatchNorm);
        var names = backbone.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("body.layer2.0.bn1.weight", names);
        Assert.Contains("body.bn1.weight", names);
        Assert.False(backbone.named_parameters().Single(p => p.name == "body.bn1.weight").parameter.requires_grad);
        Assert.True(backbone.named_parameters().Single(p => p.name == "body.layer2.0.bn1.weight").parameter.requires_grad);
        Assert.Contains("body.layer2.0.bn1.num_batches_tracked", backbone.state_dict().Keys);
    }

    [Fact]
    public void IntermediateLayersHaveStrides4To32AndResizedMasks()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new Backbone(ResNetDepth.ResNet18, returnIntermediateLayers: true);
        backbone.eval();
        var images = new[] { torch.rand(3, 64, 96), torch.rand(3, 40, 64) };
        using var samples = NestedTensor.FromTensorList(images);
        Assert.Equal(new long[] { 2, 3, 64, 96 }, samples.Tensors.shape);
        using var noGrad = torch.no_grad();
        var features = backbone.call(samples);
        Assert.Equal(new long[] { 4, 8, 16, 32 }, backbone.Strides);
        Assert.Equal(4, features.Length);
        for (int i = 0; i < 4; i++)
        {
            long stride = backbone.Strides[i];
            Assert.Equal(new[] { 2, backbone.Channels[i], 64 / stride, 96 / stride }, features[i].Tensors.shape);
            var mask = features[i].Mask!;
            Assert.Equal(new[] { 2, 64 / stride, 96 / stride }, mask.shape);
            Assert.Equal(ScalarType.Bool, mask.dtype);
            using var expected = NestedTensor.ResizeMask(samples.Mask!, 64 / stride, 96 / stride);
            Assert.True(torch.equal(expected, mask));
        }
        // Image 0 fills the batch: no padding anywhere; image 1 is padded below row 40 and right of column 64.
        var last = features[3].Mask!;
        Assert.False(last[0].any().item<bool>());
        Assert.True(last[1, 1, TensorIndex.Colon].all().item<bool>() == false);
        Assert.True(last[1, TensorIndex.Colon, 2].all().item<bool>());
    }

    [Fact]
    public void DilatedBackboneHasStride16()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new Backbone(ResNetDepth.ResNet50, dilation: true);
        using var noGrad = torch.no_grad();
        using var samples = NestedTensor.FromTensorList(new[] { torch.rand(3, 64, 64) });
        var features = backbone.call(samples);
        Assert.Equal(new long[] { 1, 2048, 4, 4 }, features[0].Tensors.shape);
        Assert.Equal(new long[] { 16 }, backbone.Strides);
    }

    [Fact]
    public void BasicBlockBackbonesCannotBeDilated()
    {
        var e = Assert.Throws<NotSupportedException>(() => new Backbone(ResNetDepth.ResNet34, dilation: true));
        Assert.Contains("dilation", e.Message);
        Assert.Throws<ConfigException>(() => DetrBuilder.Build(Tiny() with { Dilation = true }));
    }

    [Fact]
    public void UnknownBackboneNameIsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => DetrBuilder.Build(Tiny() with { Backbone = "resnet152" }));
        Assert.Contains("resnet152", e.Message);
    }

    [Fact]
    public void TorchvisionCheckpointLoadsWithoutTheClassifier()
    {
        using var scope = torch.NewDisposeScope();
        using var source = new ResNet(ResNetDepth.ResNet18);
        var sd = source.state_dict();
        sd["fc.weight"] = torch.zeros(1000, 512);
        sd["fc.bias"] = torch.zeros(1000);
        using var target = new ResNet(ResNetDepth.ResNet18);
        var result = target.LoadTorchvisionStateDict(sd);
        Assert.True(result.IsClean, result.ToString());
        Assert.True(torch.equal(source.get_submodule("layer3.1.conv2")!.get_parameter("weight")!, target.get_submodule("layer3.1.conv2")!.get_parameter("weight")!));
    }

    [Fact]
    public void AThreeStageBodyEndsAtLayer3WithStride16()
    {
        using var scope = torch.NewDisposeScope();
        using var backbone = new Backbone(ResNetDepth.ResNet18, stages: 3);
        Assert.Equal(256, backbone.NumChannels);
        Assert.Equal(new long[] { 16 }, backbone.Strides);
        Assert.DoesNotContain(backbone.state_dict().Keys, k => k.Contains("layer4"));
        var features = backbone.forward(new NestedTensor(torch.rand(1, 3, 64, 96), torch.zeros(new long[] { 1, 64, 96 }, ScalarType.Bool)));
        Assert.Equal(new long[] { 1, 256, 4, 6 }, features[^1].Tensors.shape);
        Assert.Throws<ArgumentException>(() => new Backbone(ResNetDepth.ResNet50, dilation: true, stages: 3));
        Assert.Throws<ConfigException>(() => (Tiny() with { BackboneStages = 1 }).Validate());
        using var twoStages = new Backbone(ResNetDepth.ResNet18, stages: 2);
        Assert.Equal(128, twoStages.NumChannels);
        Assert.Equal(new long[] { 8 }, twoStages.Strides);
        // from scratch every layer trains; DETR's rule freezes the stem and layer1
        Assert.True(twoStages.named_parameters().Where(p => p.name.Contains("conv1") && !p.name.Contains("layer")).All(p => !p.parameter.requires_grad));
        using var scratch = new Backbone(ResNetDepth.ResNet18, stages: 2, freezeStem: false);
        Assert.True(scratch.named_parameters().All(p => p.parameter.requires_grad));
        using var model = DetrBuilder.Build(Tiny() with { BackboneStages = 3 });
        Assert.Equal(new long[] { 32, 256, 1, 1 }, model.get_submodule("input_proj")!.get_parameter("weight")!.shape);
    }

    internal static DetrConfig Tiny() => DetrConfig.Reference with
    {
        Backbone = "resnet18", HiddenDim = 32, NHeads = 4, EncLayers = 1, DecLayers = 2, DimFeedforward = 64,
        NumQueries = 5, NumClasses = 3, Dropout = 0.1,
    };
}
