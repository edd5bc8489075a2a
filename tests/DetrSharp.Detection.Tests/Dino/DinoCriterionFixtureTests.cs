using System.Text.Json;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// DINO's SetCriterion against the reference: every named loss (main, _i, _dn, _dn_i, _interm, zero dn keys when
/// there is no dn), the weighted total, num_boxes, the matchings, the dn positive slots, and the gradients of the
/// total with respect to the last decoder layer's outputs (dn part included).
/// </summary>
public class DinoCriterionFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "dino_criterion");

    [Theory]
    [MemberData(nameof(Cases))]
    public void LossesMatchingsAndGradientsMatchReference(string name)
    {
        var f = Fixtures.Get("detr", name, "dino_criterion");
        var p = f.Params;
        var e = f.Expected;
        using var scope = torch.NewDisposeScope();
        var m = p.GetProperty("matcher");
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Dino with
        {
            CostClass = m.GetProperty("cost_class").GetDouble(), CostBbox = m.GetProperty("cost_bbox").GetDouble(), CostGiou = m.GetProperty("cost_giou").GetDouble(),
        });
        var weights = p.GetProperty("weight_dict").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble());
        // build_dino's weight dict for this many decoder layers is the fixture's
        Assert.Equal(weights.OrderBy(x => x.Key, StringComparer.Ordinal),
            DinoCriterion.DefaultWeights(p.GetProperty("dec_layers").GetInt32()).OrderBy(x => x.Key, StringComparer.Ordinal));
        var criterion = new DinoCriterion(p.GetProperty("num_classes").GetInt32(), matcher, weights, p.GetProperty("focal_alpha").GetDouble());
        bool training = p.GetProperty("mode").GetString() == "train";

        var classes = FixtureData.Tensor(f.Inputs.GetProperty("outputs_class"));      // [L, B, pad + Q, K]
        var coords = FixtureData.Tensor(f.Inputs.GetProperty("outputs_coord"));       // [L, B, pad + Q, 4]
        int layers = (int)classes.size(0);
        var lastClass = classes[layers - 1].detach().requires_grad_();                // [B, pad + Q, K]
        var lastCoord = coords[layers - 1].detach().requires_grad_();                 // [B, pad + Q, 4]
        var logits = Enumerable.Range(0, layers).Select(l => l == layers - 1 ? lastClass : classes[l]).ToArray();
        var boxes = Enumerable.Range(0, layers).Select(l => l == layers - 1 ? lastCoord : coords[l]).ToArray();

        var dnMeta = f.Inputs.GetProperty("dn_meta");
        long pad = dnMeta.ValueKind == JsonValueKind.Object ? dnMeta.GetProperty("pad_size").GetInt64() : 0;
        long total = logits[0].size(1);
        DinoPredictions Part(long start, long length) => new(logits[^1].narrow(1, start, length), boxes[^1].narrow(1, start, length),
            Enumerable.Range(0, layers - 1).Select(l => new DinoPredictions(logits[l].narrow(1, start, length), boxes[l].narrow(1, start, length))).ToArray());
        var main = Part(pad, total - pad);
        DinoDnOutput? dn = pad > 0 ? new DinoDnOutput(Part(0, pad), pad, dnMeta.GetProperty("num_dn_group").GetInt64()) : null;
        var interm = new DinoPredictions(FixtureData.Tensor(f.Inputs.GetProperty("interm_logits")), FixtureData.Tensor(f.Inputs.GetProperty("interm_boxes")));
        var outputs = new DinoOutput(main, interm, interm, dn);
        var targets = FixtureData.Targets(f.Inputs.GetProperty("targets"));

        var result = criterion.Compute(outputs, targets, training);

        Assert.Equal(e.GetProperty("num_boxes").GetDouble(), result.NumBoxes);
        if (e.TryGetProperty("dn_num_boxes", out var dnb) && dnb.ValueKind == JsonValueKind.Number) Assert.Equal(dnb.GetDouble(), result.DnNumBoxes);
        if (!FixtureData.Ties(f))
        {
            FixtureData.AssertIndices($"{name} indices", e.GetProperty("indices"), result.Indices);
            var aux = e.GetProperty("aux_indices").EnumerateArray().ToList();
            Assert.Equal(aux.Count, result.AuxIndices.Length);
            for (int i = 0; i < aux.Count; i++) FixtureData.AssertIndices($"{name} aux_indices[{i}]", aux[i], result.AuxIndices[i]);
            FixtureData.AssertIndices($"{name} interm_indices", e.GetProperty("interm_indices"), result.IntermIndices);
        }
        if (e.TryGetProperty("dn_pos_idx", out var dnIdx)) FixtureData.AssertIndices($"{name} dn_pos_idx", dnIdx, result.DnPositive);

        var expectedLosses = e.GetProperty("losses").EnumerateObject().ToList();
        Assert.Equal(expectedLosses.Select(x => x.Name).OrderBy(k => k, StringComparer.Ordinal), result.Losses.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var kv in expectedLosses)
        {
            var (atol, rtol) = FixtureData.Tolerance(f, kv.Name);
            FixtureData.AssertClose($"{name} {kv.Name}", kv.Value, result.Losses[kv.Name], atol, rtol);
        }
        var totalLoss = criterion.WeightedTotal(result.Losses);
        var (tAtol, tRtol) = FixtureData.Tolerance(f, "total_loss");
        FixtureData.AssertClose($"{name} total_loss", e.GetProperty("total_loss"), totalLoss, tAtol, tRtol);

        if (!e.TryGetProperty("grad_outputs_class_last", out var gClass)) return;
        totalLoss.backward();
        foreach (var (key, expected, tensor) in new[] { ("grad_outputs_class_last", gClass, lastClass), ("grad_outputs_coord_last", e.GetProperty("grad_outputs_coord_last"), lastCoord) })
        {
            var (atol, rtol) = FixtureData.Tolerance(f, key);
            var grad = tensor.grad ?? throw new Xunit.Sdk.XunitException($"{name}: no gradient for {key}");
            FixtureData.AssertClose($"{name} {key}", expected, grad, atol, rtol);
        }
    }

    [Fact]
    public void DefaultWeightsAreBuildDinos()
    {
        var w = DinoCriterion.DefaultWeights();
        Assert.Equal(6 + 6 * 5 + 3, w.Count);   // cls/bbox/giou + their _dn; both per earlier layer; 3 _interm
        Assert.Equal(5, w["loss_bbox_dn_4"]);
        Assert.Equal(2, w["loss_giou_interm"]);
        Assert.False(w.ContainsKey("loss_ce_dn_interm"));
    }
}
