using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Boxes;

/// <summary>Kinds box_ops (DETR util/box_ops.py) and dino_box_ops (DINO's, with 1e-6 in the denominators).</summary>
public class BoxOpsFixtureTests
{
    public static IEnumerable<object[]> DetrCases => Fixtures.Names("detr", "box_ops");
    public static IEnumerable<object[]> DinoCases => Fixtures.Names("detr", "dino_box_ops");

    [Theory]
    [MemberData(nameof(DetrCases))]
    public void DetrBoxOps(string name) => Check(name, dino: false);

    [Theory]
    [MemberData(nameof(DinoCases))]
    public void DinoBoxOps(string name) => Check(name, dino: true);

    static void Check(string name, bool dino)
    {
        var f = FixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var boxes1 = FixtureData.Tensor(f.Inputs.GetProperty("boxes1"));
        var boxes2 = FixtureData.Tensor(f.Inputs.GetProperty("boxes2"));
        var cxcywh = FixtureData.Tensor(f.Inputs.GetProperty("cxcywh"));
        var (iou, union) = dino ? Detection.Boxes.DinoBoxOps.BoxIou(boxes1, boxes2) : BoxOps.BoxIou(boxes1, boxes2);
        var giou = dino ? Detection.Boxes.DinoBoxOps.GeneralizedBoxIou(boxes1, boxes2) : BoxOps.GeneralizedBoxIou(boxes1, boxes2);
        var e = f.Expected;
        FixtureData.AssertClose($"{name} iou", e.GetProperty("iou"), iou, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} union", e.GetProperty("union"), union, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} giou", e.GetProperty("giou"), giou, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} cxcywh_to_xyxy", e.GetProperty("cxcywh_to_xyxy"), BoxOps.CxcywhToXyxy(cxcywh), f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} xyxy_to_cxcywh", e.GetProperty("xyxy_to_cxcywh"), BoxOps.XyxyToCxcywh(boxes1), f.Atol, f.Rtol);
    }
}
