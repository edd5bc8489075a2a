using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>The top-k post-processing over (query, class) pairs.</summary>
public class DetrPostProcessTopKTests
{
    [Fact]
    public void KeepsTheBestQueryClassPairsOfEachImageSortedByScore()
    {
        using var scope = torch.NewDisposeScope();
        // 1 image, 2 queries, 2 classes + no-object; probabilities after softmax:
        // query 0: [0.5, 0.3, 0.2], query 1: [0.1, 0.4, 0.5]
        var probs = torch.tensor(new[] { 0.5f, 0.3f, 0.2f, 0.1f, 0.4f, 0.5f }, new long[] { 1, 2, 3 });
        var logits = probs.log();
        var boxes = torch.tensor(new[] { 0.5f, 0.5f, 0.2f, 0.4f, 0.25f, 0.75f, 0.5f, 0.5f }, new long[] { 1, 2, 4 });
        var sizes = torch.tensor(new long[] { 100, 200 }, new long[] { 1, 2 });   // height, width
        var output = new DetrOutput(logits, boxes);
        var result = DetrPostProcess.ProcessTopK(output, sizes, topK: 3)[0];
        Assert.Equal(new[] { 0.5f, 0.4f, 0.3f }, result.Scores.data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        Assert.Equal(new long[] { 0, 1, 1 }, result.Labels.data<long>().ToArray());
        // query 0's box, then query 1's twice (x1, y1, x2, y2 in pixels)
        Assert.Equal(new[] { 80f, 30f, 120f, 70f, 0f, 50f, 100f, 100f, 80f, 30f, 120f, 70f },
            result.Boxes.contiguous().data<float>().ToArray().Select(v => MathF.Round(v, 3)));
        // k beyond queries × classes keeps them all; k < 1 is refused
        Assert.Equal(4, DetrPostProcess.ProcessTopK(output, sizes, topK: 100)[0].Scores.size(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetrPostProcess.ProcessTopK(output, sizes, topK: 0));
    }
}
