using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Tests.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Boxes;

/// <summary>Kind yolo_bbox_iou: ultralytics' bbox_iou values and d(sum(iou))/d(box1, box2).</summary>
public class YoloBboxIouFixtureTests
{
    const string Kind = "yolo_bbox_iou";
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var p = f.Params;
        var mode = p.GetProperty("CIoU").GetBoolean() ? IouMode.Ciou
            : p.GetProperty("DIoU").GetBoolean() ? IouMode.Diou
            : p.GetProperty("GIoU").GetBoolean() ? IouMode.Giou : IouMode.Iou;
        var box1 = FixtureData.Tensor(f.Inputs.GetProperty("box1"), requiresGrad: true);
        var box2 = FixtureData.Tensor(f.Inputs.GetProperty("box2"), requiresGrad: true);

        var iou = BboxIou.Compute(box1, box2, p.GetProperty("xywh").GetBoolean(), mode, p.GetProperty("eps").GetDouble());
        iou.sum().backward();

        var e = f.Expected;
        FixtureData.AssertClose($"{name} iou", e.GetProperty("iou"), iou, f.Atol, f.Rtol);
        double ga = f.Tol("grad_atol", f.Atol), gr = f.Tol("grad_rtol", f.Rtol);
        FixtureData.AssertClose($"{name} grad_box1", e.GetProperty("grad_box1"), box1.grad!, ga, gr);
        FixtureData.AssertClose($"{name} grad_box2", e.GetProperty("grad_box2"), box2.grad!, ga, gr);
    }
}
