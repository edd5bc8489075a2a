using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>
/// Kind yolo_v10_postprocess: v10postprocess on given predictions (inputs.preds), or (inputs.feats) Detect.inference
/// decoding of raw one-to-one head outputs followed by v10postprocess and xywh2xyxy as YOLOv10's predictor.
/// </summary>
public class YoloV10PostprocessFixtureTests
{
    const string Kind = "yolo_v10_postprocess";
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        int maxDet = YoloFixtureTensors.Int(f, "max_det");
        long nc = YoloFixtureTensors.Int(f, "nc");
        var e = f.Expected;

        Tensor preds;                                                                     // [B, A, 4 + nc]
        if (f.Inputs.TryGetProperty("feats", out var featsJson))
        {
            var feats = YoloFixtureTensors.TensorList(featsJson);
            var strides = YoloFixtureTensors.Longs(f, "strides").Select(s => (double)s).ToArray();
            var decoded = YoloBoxDecoder.Inference(feats, strides, nc, YoloFixtureTensors.Int(f, "reg_max"));
            YoloFixtureTensors.AssertClose32($"{name} decoded", e.GetProperty("decoded"), decoded, f.Atol, f.Rtol);
            preds = decoded.transpose(-1, -2);
        }
        else preds = FixtureData.Tensor(f.Inputs.GetProperty("preds"));

        var (boxes, scores, labels) = V10PostProcess.Select(preds, maxDet, nc);
        YoloFixtureTensors.AssertDType($"{name} labels", e.GetProperty("labels"), labels);
        YoloFixtureTensors.AssertExact($"{name} labels", e.GetProperty("labels"), labels);
        YoloFixtureTensors.AssertClose32($"{name} scores", e.GetProperty("scores"), scores, f.Atol, f.Rtol);
        if (e.TryGetProperty("boxes", out var expectedBoxes))
            YoloFixtureTensors.AssertClose32($"{name} boxes", expectedBoxes, boxes, f.Atol, f.Rtol);
        if (e.TryGetProperty("boxes_xywh", out var xywh))
            YoloFixtureTensors.AssertClose32($"{name} boxes_xywh", xywh, boxes, f.Atol, f.Rtol);
        if (e.TryGetProperty("boxes_xyxy", out var xyxy))
            YoloFixtureTensors.AssertClose32($"{name} boxes_xyxy", xyxy, BoxConvert.CxcywhToXyxy(boxes), f.Atol, f.Rtol);
    }
}
