using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>A tiny DETR (ResNet-18, hidden 32) runs forward and backward inside a dispose scope.</summary>
[Collection(GlobalGenerator.Collection)]
public class TinyDetrTests
{
    [Fact]
    public void ForwardAndBackwardRunInsideADisposeScope()
    {
        torch.manual_seed(0);
        using var model = DetrBuilder.Build(BackboneTests.Tiny());
        model.train();
        DetrOutput output;
        Tensor loss;
        using (var scope = torch.NewDisposeScope())
        {
            var images = new[] { torch.rand(3, 64, 80), torch.rand(3, 48, 64) };
            output = model.forward(images);
            Assert.Equal(new long[] { 2, 5, 4 }, output.PredLogits.shape);   // [B, Q, classes + 1]
            Assert.Equal(new long[] { 2, 5, 4 }, output.PredBoxes.shape);    // [B, Q, 4]
            Assert.Single(output.AuxOutputs);                                 // dec layers 2 → one aux output
            Assert.Equal(new long[] { 2, 5, 4 }, output.AuxOutputs[0].PredLogits.shape);
            Assert.Empty(output.AuxOutputs[0].AuxOutputs);
            Assert.True(output.PredBoxes.ge(0).all().item<bool>() && output.PredBoxes.le(1).all().item<bool>());

            loss = output.PredLogits.logsumexp_like().add(output.PredBoxes.sum());
            foreach (var aux in output.AuxOutputs) loss = loss.add(aux.PredLogits.logsumexp_like()).add(aux.PredBoxes.sum());
            loss.backward();
            Assert.True(scope.Count > 0);
        }
        // Everything created in the step is freed with the scope.
        Assert.True(output.PredLogits.IsInvalid && output.PredBoxes.IsInvalid && output.AuxOutputs[0].PredBoxes.IsInvalid && loss.IsInvalid);

        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in new[] { "class_embed.weight", "bbox_embed.layers.2.bias", "query_embed.weight", "input_proj.weight",
                     "transformer.encoder.layers.0.self_attn.in_proj_weight", "transformer.decoder.layers.1.linear2.weight",
                     "transformer.decoder.norm.weight", "backbone.0.body.layer2.0.conv1.weight", "backbone.0.body.layer4.1.conv2.weight" })
        {
            using var g = grads[name].grad;
            Assert.True(g is not null, $"{name} has no gradient");
            Assert.True(g!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
        using var frozen = grads["backbone.0.body.layer1.0.conv1.weight"].grad;
        Assert.Null(frozen);
        using var stem = grads["backbone.0.body.conv1.weight"].grad;
        Assert.Null(stem);
        model.zero_grad();
    }

    [Fact]
    public void WithoutAuxLossThereAreNoAuxOutputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DetrBuilder.Build(BackboneTests.Tiny() with { AuxLoss = false });
        model.eval();
        using var noGrad = torch.no_grad();
        var output = model.forward(new[] { torch.rand(3, 32, 32) });
        Assert.Empty(output.AuxOutputs);
        Assert.Equal(new long[] { 1, 5, 4 }, output.PredLogits.shape);
    }

    [Fact]
    public void InferenceIsDeterministicInEvalMode()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DetrBuilder.Build(BackboneTests.Tiny() with { PreNorm = true });
        model.eval();
        using var noGrad = torch.no_grad();
        var images = new[] { torch.rand(3, 40, 56) };
        var a = model.forward(images);
        var b = model.forward(images);
        Assert.True(torch.equal(a.PredLogits, b.PredLogits) && torch.equal(a.PredBoxes, b.PredBoxes));
        var results = DetrPostProcess.Process(a, torch.tensor(new long[] { 400, 560 }, new long[] { 1, 2 }));
        Assert.Equal(new long[] { 5, 4 }, results[0].Boxes.shape);
        Assert.True(results[0].Labels.lt(3).all().item<bool>());   // the no-object column is never a label
    }

    [Fact]
    public void LearnedPositionEmbeddingIsChildOneOfTheBackbone()
    {
        using var scope = torch.NewDisposeScope();
        using var model = DetrBuilder.Build(BackboneTests.Tiny() with { PositionEmbedding = PositionEmbeddingKind.Learned });
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("backbone.1.row_embed.weight", keys);
        Assert.Contains("backbone.1.col_embed.weight", keys);
        Assert.Equal(new long[] { 50, 16 }, model.state_dict()["backbone.1.row_embed.weight"].shape);
        model.eval();
        using var noGrad = torch.no_grad();
        var output = model.forward(new[] { torch.rand(3, 64, 64) });
        Assert.Equal(new long[] { 1, 5, 4 }, output.PredBoxes.shape);
    }

    [Fact]
    public void PreNormAddsTheFinalEncoderNormOnly()
    {
        using var scope = torch.NewDisposeScope();
        using var post = new Transformer(16, 2, 1, 1, 32, 0, TransformerActivation.ReLU, normalizeBefore: false);
        using var pre = new Transformer(16, 2, 1, 1, 32, 0, TransformerActivation.ReLU, normalizeBefore: true);
        Assert.DoesNotContain("encoder.norm.weight", post.state_dict().Keys);
        Assert.Contains("encoder.norm.weight", pre.state_dict().Keys);
        Assert.Contains("decoder.norm.weight", post.state_dict().Keys);
    }

    [Fact]
    public void DecoderWithoutIntermediateReturnsOneLayer()
    {
        using var scope = torch.NewDisposeScope();
        using var transformer = new Transformer(16, 2, 1, 3, 32, 0, returnIntermediateDec: false);
        transformer.eval();
        var src = torch.rand(2, 16, 3, 4);
        var mask = torch.zeros(new long[] { 2, 3, 4 }, ScalarType.Bool);
        var pos = torch.rand(2, 16, 3, 4);
        var (hs, memory) = transformer.call(src, mask, torch.rand(7, 16), pos);
        Assert.Equal(new long[] { 1, 2, 7, 16 }, hs.shape);
        Assert.Equal(new long[] { 2, 16, 3, 4 }, memory.shape);
    }

    [Fact]
    public void ShapeErrorsNameTheInput()
    {
        using var scope = torch.NewDisposeScope();
        using var transformer = new Transformer(16, 2, 1, 1, 32, 0);
        var e = Assert.Throws<ArgumentException>(() => transformer.call(torch.rand(2, 8, 3, 4), torch.zeros(new long[] { 2, 3, 4 }, ScalarType.Bool),
            torch.rand(7, 16), torch.rand(2, 8, 3, 4)));
        Assert.Contains("src", e.Message);
        Assert.Throws<ArgumentException>(() => new NestedTensor(torch.rand(2, 3, 8, 8), torch.zeros(new long[] { 2, 8, 9 }, ScalarType.Bool)));
        using var learned = new PositionEmbeddingLearned(8);
        Assert.Throws<ArgumentException>(() => learned.call(new NestedTensor(torch.rand(1, 3, 51, 8), torch.zeros(new long[] { 1, 51, 8 }, ScalarType.Bool))));
    }
}

internal static class TestLosses
{
    /// <summary>A scalar that depends on every logit: logsumexp over the classes, summed.</summary>
    public static Tensor logsumexp_like(this Tensor logits) => logits.log_softmax(-1).neg().select(-1, 0).sum();
}
