using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Edge cases of the YOLO targets, assigner and losses that the fixtures do not cover.</summary>
public class YoloLossTests
{
    [Fact]
    public void TargetsAreGroupedPerImageInOrderScaledAndConvertedToCorners()
    {
        using var scope = torch.NewDisposeScope();
        var targets = new YoloTargets(
            torch.tensor(new float[] { 1, 0, 1, 5 }),                                       // image 5 is outside a batch of 2
            torch.tensor(new float[] { 3, 4, 7, 9 }, new long[] { 4, 1 }),
            torch.tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 0.75f, 0.75f, 0.5f, 0.5f, 0, 0, 0, 0 }, new long[] { 4, 4 }));
        var padded = targets.Padded(2, (H: 64, W: 128), ScalarType.Float32, Device.CPU);   // [2, 2, 5]
        Assert.Equal(new long[] { 2, 2, 5 }, padded.shape);
        Assert.Equal(new float[]
        {
            4, 0, 0, 64, 32,    0, 0, 0, 0, 0,                                              // image 0: its one box, then padding
            3, 32, 24, 96, 40,  7, 64, 32, 128, 64,                                         // image 1: both boxes in their order
        }, padded.data<float>());
    }

    [Fact]
    public void NoTargetsGiveAnEmptyPaddedBatch()
    {
        using var scope = torch.NewDisposeScope();
        var targets = new YoloTargets(torch.zeros(0), torch.zeros(0, 1), torch.zeros(0, 4));
        Assert.Equal(new long[] { 3, 0, 5 }, targets.Padded(3, (64, 64), ScalarType.Float32, Device.CPU).shape);
    }

    [Fact]
    public void AssignerWithOnlyPaddingAssignsNothing()
    {
        using var scope = torch.NewDisposeScope();
        var anchors = torch.tensor(new float[] { 4, 4, 12, 4, 4, 12, 12, 12 }, new long[] { 4, 2 });
        var r = new TaskAlignedAssigner(2, 3).Forward(
            torch.rand(1, 4, 3), torch.tensor(new float[] { 0, 0, 8, 8, 8, 0, 16, 8, 0, 8, 8, 16, 8, 8, 16, 16 }, new long[] { 1, 4, 4 }),
            anchors, torch.zeros(1, 2, 1), torch.tensor(new float[] { 0, 0, 16, 16, 0, 0, 0, 0 }, new long[] { 1, 2, 4 }), torch.zeros(1, 2, 1));
        Assert.False(r.FgMask.any().item<bool>());
        Assert.Equal(0f, r.TargetScores.sum().item<float>());
    }

    [Fact]
    public void AssignerGivesEachAnchorInsideABoxThatBox()
    {
        using var scope = torch.NewDisposeScope();
        // Four anchors, one box over the left two: with topk 4 both inside anchors are foreground, the others not.
        var anchors = torch.tensor(new float[] { 4, 4, 4, 12, 12, 4, 12, 12 }, new long[] { 4, 2 });
        var pd = torch.tensor(new float[] { 0, 0, 8, 8, 0, 8, 8, 16, 8, 0, 16, 8, 8, 8, 16, 16 }, new long[] { 1, 4, 4 });
        var r = new TaskAlignedAssigner(4, 2).Forward(torch.full(new long[] { 1, 4, 2 }, 0.5f), pd, anchors,
            torch.ones(1, 1, 1), torch.tensor(new float[] { 0, 0, 8, 16 }, new long[] { 1, 1, 4 }), torch.ones(1, 1, 1));
        Assert.Equal(new[] { true, true, false, false }, r.FgMask.data<bool>());
        Assert.Equal(new long[] { 1, 1, 1, 1 }, r.TargetLabels.data<long>());
        var scores = r.TargetScores.data<float>();                                          // [1, 4, 2]
        Assert.Equal(0f, scores[0]);
        Assert.True(scores[1] > 0 && scores[3] > 0);
        Assert.Equal(0f, scores[4] + scores[5] + scores[6] + scores[7]);
    }

    [Fact]
    public void BadShapesAreRefusedWithTheInputNamed()
    {
        using var scope = torch.NewDisposeScope();
        var a = new TaskAlignedAssigner(1, 2);
        var e = Assert.Throws<ArgumentException>(() => a.Forward(torch.rand(1, 4, 2), torch.rand(1, 4, 3), torch.rand(4, 2),
            torch.zeros(1, 1, 1), torch.rand(1, 1, 4), torch.ones(1, 1, 1)));
        Assert.Contains("pd_bboxes", e.Message);
        var loss = new V8DetectionLoss(3, new double[] { 8, 16, 32 });
        var feats = new[] { torch.zeros(1, 10, 8, 8), torch.zeros(1, 10, 4, 4), torch.zeros(1, 10, 2, 2) };
        var targets = new YoloTargets(torch.zeros(0), torch.zeros(0, 1), torch.zeros(0, 4));
        Assert.Contains("[batch, 67, H, W]", Assert.Throws<ArgumentException>(() => loss.Compute(feats, targets)).Message);
    }

    [Fact]
    public void TargetsOutsideTheBatchLeaveOnlyTheClassLoss()
    {
        using var scope = torch.NewDisposeScope();
        var feats = new[] { torch.randn(1, 67, 8, 8), torch.randn(1, 67, 4, 4), torch.randn(1, 67, 2, 2) };
        var outside = new YoloTargets(torch.tensor(new float[] { 3 }), torch.zeros(1, 1), torch.tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f }, new long[] { 1, 4 }));
        var none = new YoloTargets(torch.zeros(0), torch.zeros(0, 1), torch.zeros(0, 4));
        var loss = new V8DetectionLoss(3, new double[] { 8, 16, 32 });
        var a = loss.Compute(feats, outside).Items.data<float>();
        var b = loss.Compute(feats, none).Items.data<float>();
        Assert.Equal(0f, a[0]);
        Assert.Equal(0f, a[2]);
        Assert.Equal(b[1], a[1], 5);
        Assert.True(a[1] > 0);
    }

    [Fact]
    public void HalfPrecisionMapsAreLossedInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 16);
        var half = new[] { 8L, 4, 2 }.Select(s => torch.randn(new long[] { 2, 66, s, s }, generator: gen).to(ScalarType.BFloat16)).ToArray();
        var full = half.Select(f => f.to(ScalarType.Float32)).ToArray();
        var targets = new YoloTargets(torch.tensor(new float[] { 0, 1 }), torch.tensor(new float[] { 1, 0 }, new long[] { 2, 1 }),
            torch.tensor(new float[] { 0.4f, 0.5f, 0.5f, 0.6f, 0.6f, 0.4f, 0.3f, 0.5f }, new long[] { 2, 4 }));
        var loss = new V8DetectionLoss(2, new double[] { 8, 16, 32 });
        var a = loss.Compute(half, targets);
        var b = loss.Compute(full, targets);
        Assert.Equal(ScalarType.Float32, a.Total.dtype);
        Assert.Equal(b.Items.data<float>(), a.Items.data<float>());
        Assert.True(b.Items.data<float>()[0] > 0);
    }
}
