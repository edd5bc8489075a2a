using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>DETR with DAB-DETR's anchor-box queries, and the two functions they are built on.</summary>
[Collection(GlobalGenerator.Collection)]
public class AnchorBoxDetrTests
{
    [Fact]
    public void InverseSigmoidUndoesTheSigmoidAndClampsTheEnds()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.linspace(-5, 5, 11);
        Assert.True(torch.allclose(AnchorMath.InverseSigmoid(x.sigmoid(), eps: 1e-6), x, rtol: 1e-4, atol: 1e-4));
        var ends = AnchorMath.InverseSigmoid(torch.tensor(new[] { -1f, 0f, 1f, 2f }));
        var expected = (float)Math.Log(1e-3);
        var got = ends.data<float>().ToArray();
        var want = new[] { expected, expected, -expected, -expected };
        for (int i = 0; i < want.Length; i++) Assert.InRange(got[i], want[i] - 1e-4f, want[i] + 1e-4f);
    }

    [Fact]
    public void SineEmbeddingOfAPointEqualsTheFeatureMapsEncodingThere()
    {
        using var scope = torch.NewDisposeScope();
        const long h = 4, w = 6, feats = 8;
        var pos = new PositionEmbeddingSine(feats, normalize: true).Encode(torch.zeros(new long[] { 1, h, w }, ScalarType.Bool)); // [1, 2F, h, w]
        for (long i = 0; i < h; i++)
            for (long j = 0; j < w; j++)
            {
                // the normalised map puts pixel (i, j) at ((j + 1) / w, (i + 1) / h)
                var point = torch.tensor(new[] { (j + 1f) / w, (i + 1f) / h });
                var embedded = AnchorMath.SineEmbedding(point, feats);                 // [2F]
                var atPixel = pos[0, TensorIndex.Colon, i, j];                          // [2F]
                Assert.True(torch.allclose(embedded, atPixel, rtol: 1e-4, atol: 1e-4), $"pixel ({i}, {j})");
            }
        var boxes = torch.rand(3, 5, 4);
        Assert.Equal(new long[] { 3, 5, 4 * feats }, AnchorMath.SineEmbedding(boxes, feats).shape);
        Assert.Throws<ArgumentException>(() => AnchorMath.SineEmbedding(torch.rand(2, 3), feats));
    }

    [Fact]
    public void AnchorQueriesReplaceQueryEmbedAndStartAtTheirAnchors()
    {
        torch.manual_seed(0);
        using var model = DetrBuilder.Build(BackboneTests.Tiny() with { AnchorBoxes = true });
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("refpoint_embed.weight", keys);
        Assert.Contains("transformer.decoder.ref_point_head.layers.1.weight", keys);
        Assert.DoesNotContain("query_embed.weight", keys);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            var output = model.forward(new[] { torch.rand(3, 64, 80), torch.rand(3, 48, 64) });
            var anchors = model.named_parameters().First(p => p.name == "refpoint_embed.weight").parameter.sigmoid(); // [Q, 4]
            // the box head's last layer starts at zero: every layer's box is the query's anchor
            Assert.True(torch.allclose(output.PredBoxes[0], anchors, atol: 1e-5));
            Assert.True(torch.allclose(output.AuxOutputs[0].PredBoxes[1], anchors, atol: 1e-5));
            var centres = anchors.narrow(1, 0, 2);
            Assert.True(centres.gt(0).all().item<bool>() && centres.lt(1).all().item<bool>());
        }
    }

    [Fact]
    public void AnchorModelTrainsEveryPartAndRefinesTheBoxes()
    {
        torch.manual_seed(1);
        using var model = DetrBuilder.Build(BackboneTests.Tiny() with { AnchorBoxes = true });
        model.train();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var optimizer = new optim.AdamW(parameters.Values.Where(p => p.requires_grad), lr: 1e-2);
        using var images = torch.rand(2, 3, 48, 48);
        using var mask = torch.zeros(new long[] { 2, 48, 48 }, ScalarType.Bool);
        using var target = torch.tensor(new[] { 0.3f, 0.6f, 0.2f, 0.3f }); // [4]
        float first = 0, last = 0;
        for (int step = 0; step < 15; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            using var samples = new NestedTensor(images.alias(), mask.alias());
            var output = model.forward(samples);
            // pull every query's final and auxiliary boxes toward one box (the logits term reaches the decoder while the
            // box head's last layer is still zero)
            var loss = output.PredBoxes.sub(target).abs().mean().add(output.AuxOutputs[0].PredBoxes.sub(target).abs().mean())
                .add(output.PredLogits.pow(2).mean().mul(0.01));
            if (step == 0)
            {
                loss.backward();
                foreach (var name in new[] { "refpoint_embed.weight", "transformer.decoder.ref_point_head.layers.0.weight", "bbox_embed.layers.2.weight",
                             "transformer.decoder.layers.1.multihead_attn.in_proj_weight", "backbone.0.body.layer2.0.conv1.weight" })
                {
                    using var g = parameters[name].grad;
                    Assert.True(g is not null && g.abs().sum().item<float>() > 0, $"{name} gets no gradient");
                }
                first = loss.item<float>();
            }
            else loss.backward();
            optimizer.step();
            last = loss.item<float>();
        }
        Assert.True(last < 0.75f * first, $"loss {first} → {last}");
    }

    [Fact]
    public void AnchorBoxesNeedAMatchingTransformer()
    {
        var config = BackboneTests.Tiny();
        using var backbone = DetrBuilder.BuildBackbone(config);
        using var plain = DetrBuilder.BuildTransformer(config);
        Assert.Throws<ArgumentException>(() => new DETR(backbone, plain, 3, 5, anchorBoxes: true));
    }
}
