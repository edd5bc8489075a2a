using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Tests.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>Kind yolo_tal: TaskAlignedAssigner.forward of THU-MIG/yolov10 (int64/bool outputs exact, floats within tolerance).</summary>
public class YoloTalFixtureTests
{
    const string Kind = "yolo_tal";
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var i = f.Inputs;
        var assigner = new TaskAlignedAssigner(
            YoloFixtureTensors.Int(f, "topk"), YoloFixtureTensors.Int(f, "num_classes"),
            YoloFixtureTensors.Double(f, "alpha"), YoloFixtureTensors.Double(f, "beta"), YoloFixtureTensors.Double(f, "eps"));
        var r = assigner.Forward(
            FixtureData.Tensor(i.GetProperty("pd_scores")), FixtureData.Tensor(i.GetProperty("pd_bboxes")),
            FixtureData.Tensor(i.GetProperty("anc_points")), FixtureData.Tensor(i.GetProperty("gt_labels")),
            FixtureData.Tensor(i.GetProperty("gt_bboxes")), FixtureData.Tensor(i.GetProperty("mask_gt")));

        var e = f.Expected;
        foreach (var (key, actual) in new[] { ("target_labels", r.TargetLabels), ("fg_mask", r.FgMask), ("target_gt_idx", r.TargetGtIdx) })
        {
            YoloFixtureTensors.AssertDType($"{name} {key}", e.GetProperty(key), actual);
            YoloFixtureTensors.AssertExact($"{name} {key}", e.GetProperty(key), actual);
        }
        FixtureData.AssertClose($"{name} target_bboxes", e.GetProperty("target_bboxes"), r.TargetBboxes, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} target_scores", e.GetProperty("target_scores"), r.TargetScores, f.Atol, f.Rtol);

        if (f.Root.TryGetProperty("intermediate", out var mid) && mid.TryGetProperty("mask_in_gts", out var inGts))
        {
            var mask = TaskAlignedAssigner.SelectCandidatesInGts(FixtureData.Tensor(i.GetProperty("anc_points")), FixtureData.Tensor(i.GetProperty("gt_bboxes")));
            YoloFixtureTensors.AssertExact($"{name} mask_in_gts", inGts, mask);
        }
    }
}
