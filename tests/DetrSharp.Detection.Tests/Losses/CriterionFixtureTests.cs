using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Losses;

/// <summary>
/// Kind detr_criterion: DETR's SetCriterion with 5 aux layers — every named loss, the weighted total,
/// num_boxes, the matchings of every layer, and the gradients of the total with respect to the last
/// layer's logits and boxes.
/// </summary>
public class CriterionFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("detr", "detr_criterion");

    [Theory]
    [MemberData(nameof(Cases))]
    public void DetrSetCriterion(string name)
    {
        var f = FixtureData.Get(name);
        var p = f.Params;
        using var scope = torch.NewDisposeScope();

        var m = p.GetProperty("matcher");
        var matcher = new HungarianMatcher(m.GetProperty("cost_class").GetDouble(), m.GetProperty("cost_bbox").GetDouble(), m.GetProperty("cost_giou").GetDouble());
        var weights = p.GetProperty("weight_dict").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble());
        var losses = p.GetProperty("losses").EnumerateArray().Select(x => Enum.Parse<CriterionLoss>(x.GetString()!, ignoreCase: true)).ToArray();
        var criterion = new SetCriterion(p.GetProperty("num_classes").GetInt32(), matcher, weights, p.GetProperty("eos_coef").GetDouble(), losses);

        var logits = FixtureData.Tensor(f.Inputs.GetProperty("pred_logits"), requiresGrad: true);
        var boxes = FixtureData.Tensor(f.Inputs.GetProperty("pred_boxes"), requiresGrad: true);
        var aux = f.Inputs.GetProperty("aux_outputs").EnumerateArray()
            .Select(a => new DetectionOutput(FixtureData.Tensor(a.GetProperty("pred_logits"), true), FixtureData.Tensor(a.GetProperty("pred_boxes"), true)))
            .ToList();
        var targets = FixtureData.Targets(f.Inputs.GetProperty("targets"));

        var result = criterion.Compute(new DetectionOutput(logits, boxes, auxOutputs: aux), targets);
        var e = f.Expected;

        Assert.Equal(e.GetProperty("num_boxes").GetDouble(), result.NumBoxes);
        FixtureData.AssertIndices($"{name} indices", e.GetProperty("indices"), result.Indices);
        var auxIndices = e.GetProperty("aux_indices").EnumerateArray().ToList();
        Assert.Equal(auxIndices.Count, result.AuxIndices.Length);
        for (int i = 0; i < auxIndices.Count; i++) FixtureData.AssertIndices($"{name} aux_indices[{i}]", auxIndices[i], result.AuxIndices[i]);

        var expectedLosses = e.GetProperty("losses").EnumerateObject().ToList();
        Assert.Equal(expectedLosses.Select(x => x.Name), result.Losses.Keys);
        foreach (var kv in expectedLosses)
        {
            var (atol, rtol) = FixtureData.Tolerance(f, kv.Name);
            FixtureData.AssertClose($"{name} {kv.Name}", kv.Value, result.Losses[kv.Name], atol, rtol);
        }

        var total = criterion.WeightedTotal(result.Losses);
        var (tAtol, tRtol) = FixtureData.Tolerance(f, "total_loss");
        FixtureData.AssertClose($"{name} total_loss", e.GetProperty("total_loss"), total, tAtol, tRtol);

        total.backward();
        foreach (var (key, tensor) in new[] { ("grad_pred_logits", logits), ("grad_pred_boxes", boxes) })
        {
            var (atol, rtol) = FixtureData.Tolerance(f, key);
            var grad = tensor.grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient for {key}");
            FixtureData.AssertClose($"{name} {key}", e.GetProperty(key), grad, atol, rtol);
        }
    }
}
