using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>Kind mmdet_hungarian: mmdetection 2.x's HungarianAssigner with its match costs.</summary>
public class MmdetHungarianFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("detr", "mmdet_hungarian");

    [Theory]
    [MemberData(nameof(Cases))]
    public void HungarianAssigner(string name)
    {
        var f = FixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var cfg = f.Params.GetProperty("assigner");
        var cls = cfg.GetProperty("cls_cost");
        var reg = cfg.GetProperty("reg_cost");
        var iou = cfg.GetProperty("iou_cost");
        Assert.Equal("ClassificationCost", cls.GetProperty("type").GetString());
        Assert.Equal("BBoxL1Cost", reg.GetProperty("type").GetString());
        Assert.Equal("IoUCost", iou.GetProperty("type").GetString());
        var assigner = new HungarianAssigner(
            new ClassificationCost(cls.GetProperty("weight").GetDouble()),
            new BBoxL1Cost(reg.GetProperty("weight").GetDouble(), reg.GetProperty("box_format").GetString() == "xywh" ? BoxL1Format.Xywh : BoxL1Format.Xyxy),
            new IoUCost(iou.GetProperty("iou_mode").GetString() == "iou" ? IouMode.Iou : IouMode.Giou, iou.GetProperty("weight").GetDouble()));
        var shape = f.Params.GetProperty("img_shape").EnumerateArray().Select(x => x.GetDouble()).ToArray();

        var bboxPred = FixtureData.Tensor(f.Inputs.GetProperty("bbox_pred"));
        var clsPred = FixtureData.Tensor(f.Inputs.GetProperty("cls_pred"));
        var gtBboxes = FixtureData.Tensor(f.Inputs.GetProperty("gt_bboxes"));
        var gtLabels = FixtureData.Tensor(f.Inputs.GetProperty("gt_labels"));

        var result = assigner.Assign(bboxPred, clsPred, gtBboxes, gtLabels, shape[0], shape[1]);
        Assert.Equal(f.Expected.GetProperty("num_gts").GetInt32(), result.NumGts);
        Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("assigned_gt_inds")).AsLong(), result.AssignedGtInds);
        Assert.Equal(FixtureTensor.Parse(f.Expected.GetProperty("assigned_labels")).AsLong(), result.Labels);

        if (f.Expected.TryGetProperty("cost_matrix", out var expectedCost))
        {
            var cost = assigner.Cost(bboxPred, clsPred, gtBboxes, gtLabels, shape[0], shape[1]);
            FixtureData.AssertClose($"{name} cost_matrix", expectedCost, cost, f.Atol, f.Rtol);
            var values = cost.data<float>();
            int cols = (int)gtBboxes.size(0);
            double total = 0;
            for (int q = 0; q < result.AssignedGtInds.Length; q++)
                if (result.AssignedGtInds[q] > 0) total += values[q * cols + result.AssignedGtInds[q] - 1];
            Close.All($"{name} total_cost", [FixtureTensor.Number(f.Expected.GetProperty("total_cost"))], [total], f.Atol, f.Rtol);
        }
    }
}
