using DetrSharp.Detection.Boxes;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Boxes;

/// <summary>Edge behaviour of the box operations beyond the fixtures.</summary>
[Collection(GlobalGenerator.Collection)]
public class BoxOpsTests
{
    static Tensor Boxes(params float[] values) => torch.tensor(values, [values.Length / 4, 4]);

    [Fact]
    public void DetrGiouRefusesDegeneratePredictedBoxes()
    {
        using var scope = torch.NewDisposeScope();
        var good = Boxes(0, 0, 1, 1);
        var bad = Boxes(0, 0, 1, 1, 0.5f, 0, 0.2f, 1);
        var e = Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedBoxIou(bad, good));
        Assert.Contains("boxes1", e.Message);
        Assert.Contains("flat index 1", e.Message);
        Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedBoxIou(good, bad));
        Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedBoxIouAligned(bad, Boxes(0, 0, 1, 1, 0, 0, 1, 1)));
        Assert.Throws<ArgumentException>(() => Detection.Boxes.DinoBoxOps.GeneralizedBoxIou(bad, good));
    }

    [Fact]
    public void IdenticalZeroAreaBoxesAreNaNForDetrAndZeroForDino()
    {
        using var scope = torch.NewDisposeScope();
        var point = Boxes(0.3f, 0.3f, 0.3f, 0.3f);
        var (iou, _) = BoxOps.BoxIou(point, point);
        Assert.True(float.IsNaN(iou.data<float>()[0]));
        Assert.True(float.IsNaN(BoxOps.GeneralizedBoxIou(point, point).data<float>()[0]));
        var (dinoIou, _) = Detection.Boxes.DinoBoxOps.BoxIou(point, point);
        Assert.Equal(0f, dinoIou.data<float>()[0]);
        Assert.Equal(0f, Detection.Boxes.DinoBoxOps.GeneralizedBoxIou(point, point).data<float>()[0]);
    }

    [Fact]
    public void AlignedIsTheDiagonalOfPairwise()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var a = BoxOps.CxcywhToXyxy(torch.rand(12, 4));
        var b = BoxOps.CxcywhToXyxy(torch.rand(12, 4));
        Assert.Equal(torch.diag(BoxOps.GeneralizedBoxIou(a, b)).data<float>(), BoxOps.GeneralizedBoxIouAligned(a, b).data<float>());
        Assert.Equal(torch.diag(BoxOps.BoxIou(a, b).Iou).data<float>(), BoxOps.BoxIouAligned(a, b).Iou.data<float>());
        Assert.Equal(torch.diag(Detection.Boxes.DinoBoxOps.GeneralizedBoxIou(a, b)).data<float>(),
            Detection.Boxes.DinoBoxOps.GeneralizedBoxIouAligned(a, b).data<float>());
    }

    [Fact]
    public void BatchedPairwiseEqualsPerImage()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var a = BoxOps.CxcywhToXyxy(torch.rand(3, 7, 4));
        var b = BoxOps.CxcywhToXyxy(torch.rand(3, 5, 4));
        var batched = BoxOps.GeneralizedBoxIou(a, b);
        Assert.Equal(new long[] { 3, 7, 5 }, batched.shape);
        for (int i = 0; i < 3; i++)
            Assert.Equal(BoxOps.GeneralizedBoxIou(a[i], b[i]).data<float>(), batched[i].data<float>());
    }

    [Fact]
    public void ShapeErrorsNameTheInput()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => BoxOps.BoxIou(torch.zeros(3, 3), Boxes(0, 0, 1, 1)));
        Assert.Contains("boxes1", e.Message);
        Assert.Throws<ArgumentException>(() => BoxOps.BoxIouAligned(Boxes(0, 0, 1, 1), Boxes(0, 0, 1, 1, 0, 0, 1, 1)));
    }

    [Fact]
    public void MmdetOverlapsClampUnionAndEnclosure()
    {
        using var scope = torch.NewDisposeScope();
        // mmdetection's IoUCost docstring example
        var bboxes = Boxes(1, 1, 2, 2, 2, 2, 3, 4);
        var gt = Boxes(0, 0, 2, 4, 1, 2, 3, 4);
        var cost = new Detection.Matching.IoUCost(IouMode.Giou).Compute(bboxes, gt).data<float>();
        Assert.Equal(new[] { -0.125f, 0.1666667f, 0.1666667f, -0.5f }, cost, (x, y) => Math.Abs(x - y) < 1e-6);
        // identical zero-area boxes: union clamped to 1e-6 → 0, not NaN
        var point = Boxes(0.3f, 0.3f, 0.3f, 0.3f);
        Assert.Equal(0f, BboxOverlaps.Compute(point, point, IouMode.Giou).data<float>()[0]);
        Assert.Equal(0f, BboxOverlaps.Compute(point, point, IouMode.Iou).data<float>()[0]);
        // iof: intersection over the first box's area
        var iof = BboxOverlaps.Compute(Boxes(0, 0, 2, 2), Boxes(1, 1, 3, 3), IouMode.Iof).data<float>();
        Assert.Equal(0.25f, iof[0], 6);
        // aligned, and empty inputs
        Assert.Equal(new long[] { 2 }, BboxOverlaps.Compute(bboxes, gt, IouMode.Iou, isAligned: true).shape);
        Assert.Equal(new long[] { 0, 2 }, BboxOverlaps.Compute(torch.zeros(0, 4), gt, IouMode.Giou).shape);
    }
}
