using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>The set-matcher view of mmdetection's HungarianAssigner pairs each image's queries exactly as the assigner assigns them.</summary>
public class MmdetSetMatcherTests
{
    [Fact]
    public void PairsEqualTheAssignersAssignmentInPixelSpace()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 3);
        var logits = torch.randn([2, 7, 4], generator: gen);                               // [B, Q, C]
        var boxes = torch.rand([2, 7, 4], generator: gen).mul(0.4).add(0.2);               // [B, Q, 4] cxcywh
        var targets = new[]
        {
            new DetectionTarget(torch.tensor(new long[] { 1, 3, 0 }), torch.rand([3, 4], generator: gen).mul(0.4).add(0.2)) { Size = (60, 80) },
            new DetectionTarget(torch.zeros([0], ScalarType.Int64), torch.zeros([0, 4])) { Size = (50, 50) },
        };
        var matcher = MmdetSetMatcher.FromWeights(1, 5, 2);
        using var batch = TargetBatch.Create(targets, Device.CPU, ScalarType.Float32);
        var m = matcher.MatchLayers([(logits, boxes)], batch)[0];
        Assert.Empty(m[1].Src);

        var scale = torch.tensor(new float[] { 80, 60, 80, 60 }, [1, 4]);
        var gtPixels = Detection.Boxes.BoxConvert.CxcywhToXyxy(targets[0].Boxes) * scale;
        var assigned = matcher.Assigner.Assign(boxes[0], logits[0], gtPixels, targets[0].Labels, 60, 80);
        var expected = Enumerable.Range(0, 7).Where(q => assigned.AssignedGtInds[q] > 0).ToArray();
        Assert.Equal(expected.Select(q => (long)q), m[0].Src);
        Assert.Equal(expected.Select(q => assigned.AssignedGtInds[q] - 1), m[0].Tgt);
        Assert.Equal(3, m[0].Src.Length);
    }
}
