using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Kind yolo_anchors: make_anchors, dist2bbox and bbox2dist of ultralytics/utils/tal.py.</summary>
public class YoloAnchorsFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", "yolo_anchors");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var p = f.Params;
        var e = f.Expected;
        switch (p.GetProperty("function").GetString())
        {
            case "make_anchors":
            {
                var sizes = f.Inputs.GetProperty("feat_shapes").EnumerateArray()
                    .Select(s => s.EnumerateArray().Select(v => v.GetInt64()).ToArray())
                    .Select(s => (s[2], s[3])).ToArray();
                var strides = p.GetProperty("strides").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var (points, strideTensor) = YoloAnchors.MakeAnchors(sizes, strides, p.GetProperty("grid_cell_offset").GetDouble());
                FixtureData.AssertClose($"{name} anchor_points", e.GetProperty("anchor_points"), points, f.Atol, f.Rtol);
                FixtureData.AssertClose($"{name} stride_tensor", e.GetProperty("stride_tensor"), strideTensor, f.Atol, f.Rtol);
                break;
            }
            case "dist2bbox":
            {
                var distance = FixtureData.Tensor(f.Inputs.GetProperty("distance"));
                var anchors = FixtureData.Tensor(f.Inputs.GetProperty("anchor_points"));
                long dim = p.TryGetProperty("dim", out var d) ? d.GetInt64() : -1;
                var bbox = YoloAnchors.Dist2Bbox(distance, anchors, p.GetProperty("xywh").GetBoolean(), dim);
                FixtureData.AssertClose($"{name} bbox", e.GetProperty("bbox"), bbox, f.Atol, f.Rtol);
                break;
            }
            case "bbox2dist":
            {
                var anchors = FixtureData.Tensor(f.Inputs.GetProperty("anchor_points"));
                var bbox = FixtureData.Tensor(f.Inputs.GetProperty("bbox"));
                var dist = YoloAnchors.Bbox2Dist(anchors, bbox, p.GetProperty("reg_max").GetInt64());
                FixtureData.AssertClose($"{name} dist", e.GetProperty("dist"), dist, f.Atol, f.Rtol);
                break;
            }
            default:
                Assert.Fail($"{name}: unknown function {p.GetProperty("function").GetString()}");
                break;
        }
    }
}
