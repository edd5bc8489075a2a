using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using static DetrSharp.Torch.nn;

namespace DetrSharp.Detection.Tests.Losses;

/// <summary>SetCriterion beyond the DETR fixtures: the focal variant, masks, the num_boxes hook, memory.</summary>
public class CriterionTests
{
    static SetCriterion Detr(int numClasses = 91, params CriterionLoss[] losses) => new(numClasses,
        new HungarianMatcher(HungarianMatcherOptions.Detr), LossWeights.Detr(), 0.1,
        losses.Length > 0 ? losses : [CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality]);

    static Tensor Boxes(Tensor u) => torch.cat(new[] { u.slice(-1, 0, 2) * 0.8 + 0.1, u.slice(-1, 2, 4) * 0.3 + 0.01 }, -1);

    static List<DetectionTarget> Targets(Generator gen, int classes, params int[] counts) => counts
        .Select(n => new DetectionTarget(torch.randint(0, classes, [n], ScalarType.Int64, generator: gen), Boxes(torch.rand([n, 4], generator: gen))))
        .ToList();

    /// <summary>
    /// DINO's criterion in eval mode (no denoising) is the focal SetCriterion on the matching queries: its
    /// main and aux keys of dino_criterion_03 must come out of the focal variant.
    /// </summary>
    [Fact]
    public void FocalVariantMatchesDinoWithoutDenoising()
    {
        var f = FixtureData.Get("detr/dino_criterion_03_eval_no_dn.json");
        var p = f.Params;
        using var scope = torch.NewDisposeScope();
        var m = p.GetProperty("matcher");
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Dino with
        {
            CostClass = m.GetProperty("cost_class").GetDouble(), CostBbox = m.GetProperty("cost_bbox").GetDouble(),
            CostGiou = m.GetProperty("cost_giou").GetDouble(), FocalAlpha = p.GetProperty("focal_alpha").GetDouble(),
        });
        var weights = p.GetProperty("weight_dict").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble());
        var criterion = new SetCriterion(p.GetProperty("num_classes").GetInt32(), matcher, weights, 0.1,
            [CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality], SetCriterionOptions.Dino);

        var cls = FixtureData.Tensor(f.Inputs.GetProperty("outputs_class"));   // [L, B, Q, C]
        var coord = FixtureData.Tensor(f.Inputs.GetProperty("outputs_coord")); // [L, B, Q, 4]
        long layers = cls.size(0);
        var aux = Enumerable.Range(0, (int)layers - 1).Select(i => new DetectionOutput(cls[i], coord[i])).ToList();
        var outputs = new DetectionOutput(cls[layers - 1], coord[layers - 1], auxOutputs: aux);
        var result = criterion.Compute(outputs, FixtureData.Targets(f.Inputs.GetProperty("targets")));

        Assert.Equal(f.Expected.GetProperty("num_boxes").GetDouble(), result.NumBoxes);
        FixtureData.AssertIndices("indices", f.Expected.GetProperty("indices"), result.Indices);
        int compared = 0;
        foreach (var kv in f.Expected.GetProperty("losses").EnumerateObject())
        {
            if (kv.Name.Contains("_dn") || kv.Name.Contains("_interm")) continue;
            FixtureData.AssertClose(kv.Name, kv.Value, result.Losses[kv.Name], f.Atol, f.Rtol);
            compared++;
        }
        Assert.Equal(compared, result.Losses.Count);
    }

    [Fact]
    public void DetrWeightDictMatchesBuild()
    {
        var f = FixtureData.Get("detr/detr_criterion_01.json");
        var expected = f.Params.GetProperty("weight_dict").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble());
        var weights = LossWeights.Detr(decLayers: f.Params.GetProperty("aux_layers").GetInt32() + 1);
        Assert.Equal(expected.Keys, weights.Keys);
        Assert.Equal(expected, weights);
        Assert.Equal(["loss_ce", "loss_bbox", "loss_giou", "loss_mask", "loss_dice"], LossWeights.Detr(masks: true, auxLoss: false).Keys);
    }

    [Fact]
    public void ReduceNumBoxesAveragesOverWorkersAndClampsToOne()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(9);
        var logits = torch.randn([2, 20, 92], generator: gen);
        var boxes = Boxes(torch.rand([2, 20, 4], generator: gen));
        var targets = Targets(gen, 91, 3, 5);
        var plain = Detr().Compute(new DetectionOutput(logits, boxes), targets);
        var world = new SetCriterion(91, new HungarianMatcher(HungarianMatcherOptions.Detr), LossWeights.Detr(), 0.1,
            [CriterionLoss.Boxes], new SetCriterionOptions { ReduceNumBoxes = n => (n + 12) / 4 }).Compute(new DetectionOutput(logits, boxes), targets);
        Assert.Equal(8, plain.NumBoxes);
        Assert.Equal(5, world.NumBoxes);
        Assert.Equal(plain.Losses["loss_bbox"].ToDouble() * 8 / 5, world.Losses["loss_bbox"].ToDouble(), 5);
        var tiny = new SetCriterion(91, new HungarianMatcher(HungarianMatcherOptions.Detr), LossWeights.Detr(), 0.1,
            [CriterionLoss.Boxes], new SetCriterionOptions { ReduceNumBoxes = n => n / 100 }).Compute(new DetectionOutput(logits, boxes), targets);
        Assert.Equal(1, tiny.NumBoxes);
    }

    [Fact]
    public void MoreTargetsThanQueriesCountsEveryTarget()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(4);
        var result = Detr().Compute(new DetectionOutput(torch.randn([1, 6, 92], generator: gen), Boxes(torch.rand([1, 6, 4], generator: gen))),
            Targets(gen, 91, 10));
        Assert.Equal(10, result.NumBoxes);
        Assert.Equal(6, result.Indices[0].Count);
    }

    [Fact]
    public void MaskLossesFollowDetrSegmentation()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(5);
        const int queries = 8;
        var logits = torch.randn([2, queries, 92], generator: gen);
        var boxes = Boxes(torch.rand([2, queries, 4], generator: gen));
        var predMasks = torch.randn([2, queries, 6, 5], generator: gen, requires_grad: true);
        var targets = Targets(gen, 91, 2, 3);
        var masks = new[] { torch.rand([2, 12, 9], generator: gen).gt(0.5).to(ScalarType.Byte), torch.rand([3, 10, 11], generator: gen).gt(0.5).to(ScalarType.Byte) };
        targets = targets.Select((t, i) => new DetectionTarget(t.Labels, t.Boxes, masks[i])).ToList();
        var criterion = new SetCriterion(91, new HungarianMatcher(HungarianMatcherOptions.Detr), LossWeights.Detr(masks: true), 0.1,
            [CriterionLoss.Labels, CriterionLoss.Masks]);
        var result = criterion.Compute(new DetectionOutput(logits, boxes, predMasks), targets);

        // nested_tensor_from_tensor_list pads to [2, 3, 12, 11]; then the reference's steps
        var padded = torch.zeros([5, 12, 11]);
        padded[0..2, 0..12, 0..9] = masks[0].to(ScalarType.Float32);
        padded[2..5, 0..10, 0..11] = masks[1].to(ScalarType.Float32);
        var srcRows = result.Indices.SelectMany((mt, b) => mt.Src.Select(s => b * queries + s)).ToArray();
        var tgtRows = result.Indices.SelectMany((mt, b) => mt.Tgt.Select(t => (b == 0 ? 0 : 2) + t)).ToArray();
        var src = predMasks.reshape(2 * queries, 6, 5).index_select(0, torch.tensor(srcRows));
        var up = functional.interpolate(src.unsqueeze(1), size: [12, 11], mode: InterpolationMode.Bilinear, align_corners: false).select(1, 0).flatten(1);
        var tgt = padded.index_select(0, torch.tensor(tgtRows)).flatten(1);
        Assert.Equal(SigmoidFocalLoss.Compute(up, tgt, 5).ToDouble(), result.Losses["loss_mask"].ToDouble(), 6);
        Assert.Equal(DiceLoss.Compute(up, tgt, 5).ToDouble(), result.Losses["loss_dice"].ToDouble(), 6);
        Assert.DoesNotContain("loss_mask_0", result.Losses.Keys);
        criterion.WeightedTotal(result.Losses).backward();
        Assert.NotNull(predMasks.grad);
    }

    [Fact]
    public void OnlyTheLossesOutliveTheCall()
    {
        using var outer = torch.NewDisposeScope();
        using var gen = new Generator(6);
        var logits = torch.randn([2, 15, 92], generator: gen, requires_grad: true);
        var boxes = Boxes(torch.rand([2, 15, 4], generator: gen));
        var aux = new[] { new DetectionOutput(torch.randn([2, 15, 92], generator: gen), Boxes(torch.rand([2, 15, 4], generator: gen))) };
        var targets = Targets(gen, 91, 4, 0);
        var criterion = Detr();
        using var step = torch.NewDisposeScope();
        var losses = criterion.Forward(new DetectionOutput(logits, boxes, auxOutputs: aux), targets);
        Assert.Equal(losses.Count, step.Count);
        Assert.Equal(["loss_ce", "class_error", "loss_bbox", "loss_giou", "cardinality_error", "loss_ce_0", "loss_bbox_0", "loss_giou_0", "cardinality_error_0"],
            losses.Keys);
        criterion.WeightedTotal(losses).backward();
        Assert.NotNull(logits.grad);
    }

    [Fact]
    public void ShapeErrorsNameTheProblem()
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(8);
        var targets = Targets(gen, 91, 1, 1);
        var e = Assert.Throws<ArgumentException>(() => Detr().Compute(new DetectionOutput(torch.randn(2, 5, 91), torch.rand(2, 5, 4)), targets));
        Assert.Contains("num_classes + 1", e.Message);
        Assert.Throws<ArgumentException>(() => Detr().Compute(new DetectionOutput(torch.randn(3, 5, 92), torch.rand(3, 5, 4)), targets));
        Assert.Contains("PredMasks", Assert.Throws<ArgumentException>(() =>
            Detr(91, CriterionLoss.Masks).Compute(new DetectionOutput(torch.randn(2, 5, 92), Boxes(torch.rand(2, 5, 4))), targets)).Message);
    }
}
