using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>Kinds detr_matcher (softmax cost) and dino_matcher (focal cost, DINO's box ops).</summary>
public class MatcherFixtureTests
{
    public static IEnumerable<object[]> DetrCases => Fixtures.Names("detr", "detr_matcher");
    public static IEnumerable<object[]> DinoCases => Fixtures.Names("detr", "dino_matcher");

    [Theory]
    [MemberData(nameof(DetrCases))]
    public void DetrMatcher(string name)
    {
        var f = FixtureData.Get(name);
        var p = f.Params;
        Check(f, new HungarianMatcherOptions
        {
            CostClass = p.GetProperty("cost_class").GetDouble(),
            CostBbox = p.GetProperty("cost_bbox").GetDouble(),
            CostGiou = p.GetProperty("cost_giou").GetDouble(),
        });
    }

    [Theory]
    [MemberData(nameof(DinoCases))]
    public void DinoMatcher(string name)
    {
        var f = FixtureData.Get(name);
        var p = f.Params;
        Check(f, HungarianMatcherOptions.Dino with
        {
            CostClass = p.GetProperty("cost_class").GetDouble(),
            CostBbox = p.GetProperty("cost_bbox").GetDouble(),
            CostGiou = p.GetProperty("cost_giou").GetDouble(),
            FocalAlpha = p.GetProperty("focal_alpha").GetDouble(),
            FocalGamma = p.GetProperty("gamma").GetDouble(),
        });
    }

    static void Check(Fixture f, HungarianMatcherOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var logits = FixtureData.Tensor(f.Inputs.GetProperty("pred_logits"));
        var boxes = FixtureData.Tensor(f.Inputs.GetProperty("pred_boxes"));
        var targets = FixtureData.Targets(f.Inputs.GetProperty("targets"));
        var matcher = new HungarianMatcher(options);

        var matrices = matcher.CostMatrices(logits, boxes, targets);
        var expectedMatrices = f.Expected.GetProperty("cost_matrices").EnumerateArray().ToList();
        Assert.Equal(expectedMatrices.Count, matrices.Length);
        for (int b = 0; b < matrices.Length; b++)
        {
            var e = FixtureTensor.Parse(expectedMatrices[b]);
            Close.All($"{f.Name} cost_matrices[{b}]", e.Data, matrices[b].Select(x => (double)x).ToArray(), f.Atol, f.Rtol);
        }

        var indices = matcher.Match(logits, boxes, targets);
        var totals = f.Expected.GetProperty("total_cost").EnumerateArray().Select(FixtureTensor.Number).ToArray();
        for (int b = 0; b < indices.Length; b++)
        {
            int cols = targets[b].Count;
            double total = 0;
            for (int k = 0; k < indices[b].Count; k++) total += matrices[b][indices[b].Src[k] * cols + indices[b].Tgt[k]];
            Close.All($"{f.Name} total_cost[{b}]", [totals[b]], [total], f.Atol, f.Rtol);
            Assert.True(indices[b].Src.Zip(indices[b].Src.Skip(1)).All(x => x.First < x.Second), $"image {b}: src not ascending");
            Assert.Equal(Math.Min(logits.size(1), cols), indices[b].Count);
        }
        if (!FixtureData.Ties(f)) FixtureData.AssertIndices($"{f.Name} indices", f.Expected.GetProperty("indices"), indices);
    }
}
