using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's SetCriterion (losses labels, boxes, cardinality): focal loss_ce, L1 and GIoU with DINO's box ops,
/// loss_xy / loss_hw and cardinality_error as logged values — on the last decoder layer (with class_error), each
/// earlier layer (_i), the two-stage proposals (_interm), and in training the denoising queries against their own
/// targets (_dn, _dn_i; normalised by num_boxes × groups, positives only), with zero-valued dn keys when there are
/// none.
/// </summary>
public sealed class DinoCriterion
{
    static readonly string[] DnKeys = ["loss_bbox", "loss_giou", "loss_ce", "loss_xy", "loss_hw", "cardinality_error"];
    readonly SetCriterion _criterion;

    /// <param name="numClasses">logits per query</param>
    /// <param name="matcher">DINO's focal-cost matcher (cost_class 2, bbox 5, giou 2)</param>
    /// <param name="weightDict">loss weights (see <see cref="WeightDict"/>)</param>
    /// <param name="focalAlpha">α of the focal loss</param>
    /// <param name="reduceNumBoxes">distributed runs: num_boxes as the mean over ranks (null: one process)</param>
    public DinoCriterion(int numClasses, HungarianMatcher matcher, IReadOnlyDictionary<string, double> weightDict, double focalAlpha = 0.25,
        Func<double, double>? reduceNumBoxes = null)
    {
        _criterion = new SetCriterion(numClasses, matcher, weightDict, 0.1,
            [CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality],
            SetCriterionOptions.Dino with { FocalAlpha = focalAlpha, ReduceNumBoxes = reduceNumBoxes });
        NumClasses = numClasses;
    }

    public int NumClasses { get; }
    public IReadOnlyDictionary<string, double> WeightDict => _criterion.WeightDict;
    public ISetMatcher Matcher => _criterion.Matcher;

    /// <summary>
    /// build_dino's weight_dict: cls, bbox, giou and their _dn copies, each repeated per earlier decoder layer (_i),
    /// and the non-dn ones for the proposals (_interm).
    /// </summary>
    public static Dictionary<string, double> DefaultWeights(int decLayers = 6, double cls = 1, double bbox = 5, double giou = 2, bool useDn = true)
    {
        var clean = new Dictionary<string, double> { ["loss_ce"] = cls, ["loss_bbox"] = bbox, ["loss_giou"] = giou };
        var withDn = new Dictionary<string, double>(clean);
        if (useDn)
        {
            withDn["loss_ce_dn"] = cls;
            withDn["loss_bbox_dn"] = bbox;
            withDn["loss_giou_dn"] = giou;
        }
        var weights = new Dictionary<string, double>(withDn);
        for (int i = 0; i < decLayers - 1; i++)
            foreach (var (k, v) in withDn) weights[$"{k}_{i}"] = v;
        foreach (var (k, v) in clean) weights[$"{k}_interm"] = v;
        return weights;
    }

    /// <param name="outputs">the model's output</param>
    /// <param name="targets">per image labels [T_i] and normalised cxcywh boxes [T_i, 4]</param>
    /// <param name="training">dn losses only in training (the reference's self.training)</param>
    public DinoCriterionResult Compute(DinoOutput outputs, IReadOnlyList<DetectionTarget> targets, bool training = true)
    {
        var losses = new Dictionary<string, Tensor>();
        // last layer and aux layers
        var main = _criterion.Compute(new DetectionOutput(outputs.PredLogits, outputs.PredBoxes,
            auxOutputs: outputs.AuxOutputs.Select(a => new DetectionOutput(a.PredLogits, a.PredBoxes)).ToArray()), targets);
        foreach (var (k, v) in main.Losses) losses[k] = v;
        // two-stage proposals (no class_error)
        var interm = _criterion.Compute(new DetectionOutput(outputs.Interm.PredLogits, outputs.Interm.PredBoxes), targets);
        foreach (var (k, v) in interm.Losses)
        {
            if (k == "class_error") { v.Dispose(); continue; }
            losses[k + "_interm"] = v;
        }
        double numBoxes = main.NumBoxes;
        ImageMatch[] dnPositive = [];
        double dnNumBoxes = 0;
        int auxCount = outputs.AuxOutputs.Count;
        if (training && outputs.Dn is { } dn)
        {
            long singlePad = dn.PadSize / dn.NumDnGroup;
            dnPositive = targets.Select(t =>
            {
                long n = t.Labels.size(0);
                var src = new long[n * dn.NumDnGroup];
                var tgt = new long[n * dn.NumDnGroup];
                for (long g = 0, i = 0; g < dn.NumDnGroup; g++)
                    for (long j = 0; j < n; j++, i++)
                    {
                        src[i] = g * singlePad + j;
                        tgt[i] = j;
                    }
                return new ImageMatch(src, tgt);
            }).ToArray();
            dnNumBoxes = numBoxes * dn.NumDnGroup;
            AddDn(losses, dn.Known, targets, dnPositive, dnNumBoxes, "_dn");
            for (int i = 0; i < dn.Known.AuxOutputs.Count; i++)
                AddDn(losses, dn.Known.AuxOutputs[i], targets, dnPositive, dnNumBoxes, $"_dn_{i}");
        }
        else
        {
            var device = outputs.PredBoxes.device;
            foreach (var k in DnKeys) losses[k + "_dn"] = torch.zeros(Array.Empty<long>(), ScalarType.Float32, device);
            for (int i = 0; i < auxCount; i++)
                foreach (var k in DnKeys) losses[$"{k}_dn_{i}"] = torch.zeros(Array.Empty<long>(), ScalarType.Float32, device);
        }
        return new DinoCriterionResult(losses, main.Indices, main.AuxIndices, interm.Indices, dnPositive, numBoxes, dnNumBoxes);
    }

    /// <summary>Σ loss · weight over the keys of the weight dict (engine.py's total).</summary>
    public Tensor WeightedTotal(IReadOnlyDictionary<string, Tensor> losses) => LossWeights.WeightedTotal(losses, WeightDict);

    /// <summary>The denoising losses of one layer against the fixed positive slots (log = False: no class_error).</summary>
    void AddDn(Dictionary<string, Tensor> losses, DinoPredictions layer, IReadOnlyList<DetectionTarget> targets, ImageMatch[] positive,
        double numBoxes, string suffix)
    {
        var device = layer.PredBoxes.device;
        using var scope = torch.NewDisposeScope();
        using var batch = TargetBatch.Create(targets, device, layer.PredBoxes.dtype);
        var hostLabels = batch.Total == 0 ? [] : batch.Labels.data<long>();
        var pairs = new MatchedPairs(positive, batch, hostLabels, (int)layer.PredLogits.size(1), NumClasses, device);
        var added = new List<Tensor>();
        void Add(string key, Tensor value)
        {
            losses[key + suffix] = value;
            added.Add(value);
        }
        Add("loss_ce", LabelLosses.SigmoidFocal(layer.PredLogits, pairs, NumClasses, numBoxes, _criterion.Options.FocalAlpha, _criterion.Options.FocalGamma));
        BoxLosses.Compute(layer.PredBoxes, batch.Boxes, pairs, numBoxes, _criterion.Options.GiouEps, _criterion.Options.LogBoxComponents, Add);
        Add("cardinality_error", CardinalityLoss.Compute(layer.PredLogits, batch.Counts));
        foreach (var t in added) scope.MoveToOuter(t);
    }
}

/// <summary>What <see cref="DinoCriterion"/> computed: the named losses, the matchings and normalisers used.</summary>
public sealed record DinoCriterionResult(Dictionary<string, Tensor> Losses, ImageMatch[] Indices, ImageMatch[][] AuxIndices, ImageMatch[] IntermIndices,
    ImageMatch[] DnPositive, double NumBoxes, double DnNumBoxes);
