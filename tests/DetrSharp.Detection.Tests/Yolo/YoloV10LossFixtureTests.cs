using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>Kind yolo_v10_loss: v10DetectLoss (one-to-many topk 10 + one-to-one topk 1) total, items and gradients of both branches.</summary>
public class YoloV10LossFixtureTests
{
    const string Kind = "yolo_v10_loss";
    public static IEnumerable<object[]> Cases => Fixtures.Names("yolo", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = YoloFixtureData.Get(name);
        using var scope = torch.NewDisposeScope();
        var preds = f.Inputs.GetProperty("preds");
        var many = YoloFixtureTensors.TensorList(preds.GetProperty("one2many"), requiresGrad: true);
        var one = YoloFixtureTensors.TensorList(preds.GetProperty("one2one"), requiresGrad: true);
        Assert.Equal(10, YoloFixtureTensors.Int(f, "one2many_tal_topk"));
        Assert.Equal(1, YoloFixtureTensors.Int(f, "one2one_tal_topk"));
        var hyp = f.Params.GetProperty("hyp");
        var loss = new V10DetectLoss(YoloFixtureTensors.Int(f, "nc"), YoloFixtureTensors.Longs(f, "strides").Select(s => (double)s).ToArray(),
            YoloFixtureTensors.Int(f, "reg_max"),
            new YoloLossGains(hyp.GetProperty("box").GetDouble(), hyp.GetProperty("cls").GetDouble(), hyp.GetProperty("dfl").GetDouble()));

        var r = loss.Compute(many, one, YoloV8LossFixtureTests.Targets(f.Inputs.GetProperty("batch")));
        r.Total.backward();

        var e = f.Expected;
        FixtureData.AssertClose($"{name} total", e.GetProperty("total"), r.Total, f.Atol, f.Rtol);
        FixtureData.AssertClose($"{name} loss_items", e.GetProperty("loss_items"), r.Items, f.Atol, f.Rtol);
        YoloV8LossFixtureTests.AssertGrads(f, "grad_one2many", many);
        YoloV8LossFixtureTests.AssertGrads(f, "grad_one2one", one);
    }
}
