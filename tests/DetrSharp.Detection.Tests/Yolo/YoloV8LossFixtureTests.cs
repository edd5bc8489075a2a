using System.Text.Json;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Kind yolo_v8_loss: v8DetectionLoss total, detached items and d(total)/d(feats).</summary>
public class YoloV8LossFixtureTests
{
    const string Kind = "yolo_v8_loss";
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var feats = YoloFixtureTensors.TensorList(f.Inputs.GetProperty("feats"), requiresGrad: true);
        var loss = NewLoss(f, YoloFixtureTensors.Int(f, "tal_topk"));

        var r = loss.Compute(feats, Targets(f.Inputs.GetProperty("batch")));
        r.Total.backward();

        var e = f.Expected;
        FixtureData.AssertClose($"{name} total", e.GetProperty("total"), r.Total, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} loss_items", e.GetProperty("loss_items"), r.Items, f.Atol, f.Rtol);
        AssertGrads(f, "grad_feats", feats);
    }

    internal static V8DetectionLoss NewLoss(Fixture f, int topk)
    {
        var hyp = f.Params.GetProperty("hyp");
        var gains = new YoloLossGains(hyp.GetProperty("box").GetDouble(), hyp.GetProperty("cls").GetDouble(), hyp.GetProperty("dfl").GetDouble());
        var strides = YoloFixtureTensors.Longs(f, "strides").Select(s => (double)s).ToArray();
        return new V8DetectionLoss(YoloFixtureTensors.Int(f, "nc"), strides, YoloFixtureTensors.Int(f, "reg_max"), gains, topk);
    }

    internal static YoloTargets Targets(JsonElement batch) => new(
        FixtureData.Tensor(batch.GetProperty("batch_idx")), FixtureData.Tensor(batch.GetProperty("cls")), FixtureData.Tensor(batch.GetProperty("bboxes")));

    internal static void AssertGrads(Fixture f, string key, Tensor[] feats)
    {
        var expected = f.Expected.GetProperty(key).EnumerateArray().ToArray();
        Assert.Equal(expected.Length, feats.Length);
        double atol = f.Tol("grad_atol", f.Atol), rtol = f.Tol("grad_rtol", f.Rtol);
        for (int i = 0; i < feats.Length; i++)
        {
            Assert.NotNull(feats[i].grad);
            FixtureData.AssertClose($"{f.Name} {key}[{i}]", expected[i], feats[i].grad!, atol, rtol);
        }
    }
}
