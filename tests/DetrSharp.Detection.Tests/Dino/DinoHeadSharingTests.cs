using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>dec_pred_*_embed_share and two_stage_*_embed_share decide which heads are one module; bad dn inputs are named.</summary>
public class DinoHeadSharingTests
{
    static DinoConfig Small => DinoConfig.FourScale() with { NumClasses = 3, DnLabelbookSize = 3, NumQueries = 4, EncLayers = 1, DecLayers = 3, DimFeedforward = 16, EncNPoints = 1, DecNPoints = 1 };

    static Dictionary<string, Tensor> Params(DINO m)
    {
        // state_dict lists tied tensors under every name; compare storages through data pointers of the aliases
        return m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    [Fact]
    public void SharedHeadsAreOneTensorAndPerLayerHeadsAreCopies()
    {
        using var scope = torch.NewDisposeScope();
        using var shared = DinoBuilder.Build(Small with { TwoStageBboxEmbedShare = true, TwoStageClassEmbedShare = true }, ResNetDepth.ResNet18);
        using var separate = DinoBuilder.Build(Small with { DecPredBboxEmbedShare = false, DecPredClassEmbedShare = false }, ResNetDepth.ResNet18);
        var a = Params(shared);
        var b = Params(separate);
        Assert.Equal(a.Keys, b.Keys);   // the same names either way
        bool Same(Dictionary<string, Tensor> d, string x, string y) => d[x].data_ptr() == d[y].data_ptr();
        Assert.True(Same(a, "bbox_embed.0.layers.0.weight", "bbox_embed.2.layers.0.weight"));
        Assert.True(Same(a, "class_embed.1.weight", "transformer.decoder.class_embed.1.weight"));
        Assert.True(Same(a, "transformer.enc_out_bbox_embed.layers.2.bias", "bbox_embed.0.layers.2.bias"));
        Assert.False(Same(b, "bbox_embed.0.layers.0.weight", "bbox_embed.2.layers.0.weight"));
        Assert.True(Same(b, "bbox_embed.2.layers.0.weight", "transformer.decoder.bbox_embed.2.layers.0.weight"));
        Assert.False(Same(b, "transformer.enc_out_class_embed.weight", "class_embed.0.weight"));
        // copies start equal (the reference deep-copies one initialised head)
        Assert.True(torch.equal(b["class_embed.0.bias"], b["class_embed.2.bias"]));
        long sharedCount = shared.parameters().Sum(p => p.numel()), separateCount = separate.parameters().Sum(p => p.numel());
        Assert.True(separateCount > sharedCount);
    }

    [Fact]
    public void DnQueriesOfTheWrongShapeAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DinoBuilder.Build(Small, ResNetDepth.ResNet18);
        var samples = new NestedTensor(torch.zeros(1, 3, 64, 64), torch.zeros(new long[] { 1, 64, 64 }, ScalarType.Bool));
        var dn = new DnQueries(torch.zeros(new long[] { 1, 4 }, ScalarType.Int64), torch.zeros(1, 4, 4), torch.zeros(new long[] { 5, 5 }, ScalarType.Bool), 4, 2);
        var e = Assert.Throws<ArgumentException>(() => model.forward(samples, dn));
        Assert.Contains("attention mask", e.Message);
    }
}

/// <summary>The 5-scale layout runs: layer1..layer4 plus one extra level, every output of the expected shape.</summary>
public class DinoFiveScaleTests
{
    [Fact]
    public void FiveScaleForwardGivesEveryOutput()
    {
        using var scope = torch.NewDisposeScope();
        var config = DinoConfig.FourScale() with
        {
            NumClasses = 3, DnLabelbookSize = 3, NumQueries = 6, EncLayers = 1, DecLayers = 2, DimFeedforward = 16, EncNPoints = 1, DecNPoints = 1,
            NumFeatureLevels = 5, ReturnInterimIndices = [0, 1, 2, 3],
        };
        using var model = DinoBuilder.Build(config, ResNetDepth.ResNet18);
        Assert.Equal(new long[] { 64, 128, 256, 512 }, model.Backbone.Channels);
        Assert.Equal(new long[] { 5, 256 }, model.Transformer.LevelEmbed.shape);
        model.eval();
        using var noGrad = torch.no_grad();
        var samples = new NestedTensor(torch.randn(2, 3, 64, 96), torch.zeros(new long[] { 2, 64, 96 }, ScalarType.Bool));
        var output = model.forward(samples);
        Assert.Equal(new long[] { 2, 6, 3 }, output.PredLogits.shape);
        Assert.Equal(new long[] { 2, 6, 4 }, output.PredBoxes.shape);
        Assert.Single(output.AuxOutputs);
        Assert.Equal(new long[] { 2, 6, 4 }, output.Interm.PredBoxes.shape);
        Assert.Null(output.Dn);
        Assert.True(output.PredBoxes.ge(0).logical_and(output.PredBoxes.le(1)).all().item<bool>());
    }
}

/// <summary>
/// hidden_dim other than the reference's 256: the query sine embedding takes hidden_dim / 2 frequencies per coordinate
/// (the reference's fixed 128 at 256), so ref_point_head reads 2 × hidden_dim features and a 128-wide model runs.
/// </summary>
public class DinoHiddenDimTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(64)]
    public void ANarrowerModelRunsWithHalfAsManySineFrequencies(long hidden)
    {
        using var scope = torch.NewDisposeScope();
        var config = new DinoConfig { NumClasses = 3, HiddenDim = hidden, NHeads = 8, NumQueries = 5, EncLayers = 1, DecLayers = 2, DimFeedforward = 32, DnNumber = 2 };
        config.Validate();
        using var model = DinoBuilder.Build(config, ResNetDepth.ResNet18);
        var sd = model.state_dict();
        Assert.Equal(new[] { hidden, 2 * hidden }, sd["transformer.decoder.ref_point_head.layers.0.weight"].shape);
        Assert.Equal(new[] { 3L, hidden }, sd["transformer.level_embed"].shape);
        model.eval();
        using var noGrad = torch.no_grad();
        var samples = new NestedTensor(torch.randn(2, 3, 96, 64), torch.zeros(new long[] { 2, 96, 64 }, ScalarType.Bool));
        var output = model.forward(samples);
        Assert.Equal(new long[] { 2, 5, 3 }, output.PredLogits.shape);
        Assert.Equal(new long[] { 2, 5, 4 }, output.PredBoxes.shape);
        Assert.True(output.PredBoxes.isfinite().all().item<bool>());
    }

    [Fact]
    public void AnOddHiddenDimIsRefusedWithItsKey()
    {
        var e = Assert.Throws<DetrSharp.Detection.Configuration.ConfigException>(() => new DinoConfig { NumClasses = 3, HiddenDim = 129, NHeads = 3 }.Validate());
        Assert.Contains("model.hidden_dim must be positive and even", e.Message);
    }
}
