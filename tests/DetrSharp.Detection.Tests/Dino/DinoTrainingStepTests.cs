using DetrSharp.TestSupport;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// The pieces together on a small ResNet-18 DINO: denoising queries, forward, criterion and backward give a finite
/// loss, gradients in the trained backbone stages and none in the frozen stem, and a few AdamW steps on one batch
/// lower the loss.
/// </summary>
[Collection(GlobalGenerator.Collection)]
public class DinoTrainingStepTests
{
    static DinoConfig Small => DinoConfig.FourScale() with
    {
        NumClasses = 5, DnLabelbookSize = 5, NumQueries = 20, EncLayers = 1, DecLayers = 2, DimFeedforward = 64,
        NumFeatureLevels = 4, EncNPoints = 2, DecNPoints = 2, DnNumber = 3,
    };

    [Fact]
    public void StepsLowerTheLossAndReachTheBackbone()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var config = Small;
        using var model = DinoBuilder.Build(config, ResNetDepth.ResNet18);
        using var gen = new Generator(11);
        var images = torch.randn(new long[] { 2, 3, 64, 64 }, generator: gen);
        var mask = torch.zeros(new long[] { 2, 64, 64 }, ScalarType.Bool);
        mask.narrow(2, 48, 16).narrow(0, 1, 1).fill_(true);                                  // image 1 padded on the right
        var samples = new NestedTensor(images, mask);
        var targets = new List<DetectionTarget>
        {
            new(torch.tensor(new long[] { 1, 3 }, new long[] { 2 }), torch.tensor(new float[] { 0.3f, 0.3f, 0.2f, 0.2f, 0.7f, 0.6f, 0.3f, 0.4f }, new long[] { 2, 4 })),
            new(torch.tensor(new long[] { 4 }, new long[] { 1 }), torch.tensor(new float[] { 0.5f, 0.5f, 0.4f, 0.4f }, new long[] { 1, 4 })),
        };
        var criterion = new DinoCriterion(config.NumClasses, new HungarianMatcher(HungarianMatcherOptions.Dino), DinoCriterion.DefaultWeights(config.DecLayers));
        var trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = new optim.AdamW([new optim.ParamGroup(trainable, lr: 1e-4)], weight_decay: 1e-4);
        using var noise = new Generator(5);
        model.train();

        var losses = new List<double>();
        for (int step = 0; step < 6; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var dn = ContrastiveDenoising.Prepare(targets, config.DnNumber, config.DnLabelNoiseRatio, config.DnBoxNoiseScale, config.NumQueries, config.NumClasses, noise);
            var outputs = model.forward(samples, dn);
            Assert.NotNull(outputs.Dn);
            var result = criterion.Compute(outputs, targets);
            var total = criterion.WeightedTotal(result.Losses);
            optimizer.zero_grad();
            total.backward();
            if (step == 0)
            {
                var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
                Assert.True(grads["backbone.0.body.layer2.0.conv1.weight"]!.abs().sum().item<float>() > 0, "no gradient in the trained backbone stage");
                Assert.Null(grads["backbone.0.body.conv1.weight"]);
                Assert.True(grads["label_enc.weight"]!.abs().sum().item<float>() > 0, "no gradient into label_enc from the dn queries");
            }
            nn.utils.clip_grad_norm_(trainable, 0.1);
            optimizer.step();
            losses.Add(total.item<float>());
        }
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"loss did not fall: {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
    }
}
