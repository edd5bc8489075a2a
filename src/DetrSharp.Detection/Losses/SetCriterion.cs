using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>
/// DETR's SetCriterion: matches predictions to targets (<see cref="HungarianMatcher"/>), then computes the
/// requested losses on the last decoder layer and, suffixed _0 .. _n, on each aux layer:
/// loss_ce (+ class_error on the last layer), loss_bbox and loss_giou, cardinality_error, and on the last
/// layer loss_mask and loss_dice. Every layer's matching is solved in one parallel batch.
/// </summary>
/// <remarks>
/// num_boxes = max(targets in the batch, 1) — averaged over workers through
/// <see cref="SetCriterionOptions.ReduceNumBoxes"/> — is shared by every layer. Intermediate tensors are
/// freed before returning; the losses keep their autograd graph.
/// </remarks>
public sealed class SetCriterion
{
    readonly float[] _emptyWeight;

    /// <summary>Creates the criterion.</summary>
    /// <param name="numClasses">Object classes, without the no-object class.</param>
    /// <param name="matcher">The matcher.</param>
    /// <param name="weightDict">Loss weights by key (see <see cref="LossWeights.Detr"/>).</param>
    /// <param name="eosCoef">Relative weight of the no-object class in loss_ce (cross entropy only).</param>
    /// <param name="losses">Which losses, in order (the reference's ['labels', 'boxes', 'cardinality']).</param>
    /// <param name="options">Label-loss kind and hooks; DETR's when null.</param>
    public SetCriterion(int numClasses, ISetMatcher matcher, IReadOnlyDictionary<string, double> weightDict, double eosCoef,
        IReadOnlyList<CriterionLoss> losses, SetCriterionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(weightDict);
        ArgumentNullException.ThrowIfNull(losses);
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "SetCriterion: num_classes must be positive");
        if (losses.Distinct().Count() != losses.Count) throw new ArgumentException("SetCriterion: a loss is listed twice", nameof(losses));
        NumClasses = numClasses;
        Matcher = matcher;
        WeightDict = weightDict;
        EosCoef = eosCoef;
        Losses = losses.ToArray();
        Options = options ?? new SetCriterionOptions();
        _emptyWeight = Enumerable.Repeat(1f, numClasses + 1).ToArray();
        _emptyWeight[numClasses] = (float)eosCoef;
    }

    /// <summary>Object classes, without the no-object class.</summary>
    public int NumClasses { get; }

    /// <summary>The matcher.</summary>
    public ISetMatcher Matcher { get; }

    /// <summary>Loss weights by key.</summary>
    public IReadOnlyDictionary<string, double> WeightDict { get; }

    /// <summary>Weight of the no-object class in the cross entropy.</summary>
    public double EosCoef { get; }

    /// <summary>The losses computed, in order.</summary>
    public IReadOnlyList<CriterionLoss> Losses { get; }

    /// <summary>Label-loss kind and hooks.</summary>
    public SetCriterionOptions Options { get; }

    /// <summary>The cross entropy's class weights: 1 for each class, eos_coef for no-object ([classes + 1]).</summary>
    public Tensor EmptyWeight(Device? device = null) => torch.tensor(_emptyWeight, [_emptyWeight.Length], ScalarType.Float32, device);

    /// <summary>The named losses, as the reference's forward(outputs, targets).</summary>
    /// <param name="outputs">The predictions, with their aux layers.</param>
    /// <param name="targets">One target per image.</param>
    public Dictionary<string, Tensor> Forward(DetectionOutput outputs, IReadOnlyList<DetectionTarget> targets)
        => Compute(outputs, targets).Losses;

    /// <summary>The named losses with the matchings and the normaliser they used.</summary>
    /// <inheritdoc cref="Forward"/>
    public CriterionResult Compute(DetectionOutput outputs, IReadOnlyList<DetectionTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        var layers = new List<DetectionOutput>(1 + outputs.AuxOutputs.Count) { outputs };
        layers.AddRange(outputs.AuxOutputs);
        foreach (var layer in layers) CheckLayer(layer, targets.Count);

        var device = outputs.PredBoxes.device;
        var losses = new Dictionary<string, Tensor>();
        using var scope = torch.NewDisposeScope();
        using var batch = TargetBatch.Create(targets, device, outputs.PredBoxes.dtype);
        var matches = Matcher.MatchLayers(layers.Select(l => (l.PredLogits, l.PredBoxes)).ToArray(), batch);

        double numBoxes = batch.Total;
        if (Options.ReduceNumBoxes is { } reduce) numBoxes = reduce(numBoxes);
        numBoxes = Math.Max(numBoxes, 1);

        var hostLabels = batch.Total == 0 ? [] : batch.Labels.data<long>();
        using var emptyWeight = Options.LabelLoss == LabelLossKind.CrossEntropy ? EmptyWeight(device) : null;
        for (int l = 0; l < layers.Count; l++)
        {
            bool last = l == 0;
            string suffix = last ? "" : $"_{l - 1}";
            var layer = layers[l];
            var pairs = new MatchedPairs(matches[l], batch, hostLabels, (int)layer.PredLogits.size(1), NumClasses, device);
            void Add(string key, Tensor value) => losses[key + suffix] = value;
            foreach (var loss in Losses)
            {
                switch (loss)
                {
                    case CriterionLoss.Labels:
                        Add("loss_ce", Options.LabelLoss == LabelLossKind.CrossEntropy
                            ? LabelLosses.CrossEntropy(layer.PredLogits, pairs, emptyWeight!)
                            : LabelLosses.SigmoidFocal(layer.PredLogits, pairs, NumClasses, numBoxes, Options.FocalAlpha, Options.FocalGamma));
                        if (last) Add("class_error", LabelLosses.ClassError(layer.PredLogits, pairs));
                        break;
                    case CriterionLoss.Boxes:
                        BoxLosses.Compute(layer.PredBoxes, batch.Boxes, pairs, numBoxes, Options.GiouEps, Options.LogBoxComponents, Add);
                        break;
                    case CriterionLoss.Cardinality:
                        Add("cardinality_error", CardinalityLoss.Compute(layer.PredLogits, batch.Counts));
                        break;
                    case CriterionLoss.Masks:
                        // intermediate masks losses are too costly to compute; the reference skips them too
                        if (last)
                            MaskLosses.Compute(layer.PredMasks
                                ?? throw new ArgumentException("SetCriterion: loss 'masks' needs outputs.PredMasks", nameof(outputs)),
                                batch, pairs, numBoxes, Add);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(loss), loss, "SetCriterion: unknown loss");
                }
            }
        }
        foreach (var t in losses.Values) scope.MoveToOuter(t);
        return new CriterionResult(losses, matches[0], matches.Skip(1).ToArray(), numBoxes);
    }

    /// <summary>Σ loss · weight over the keys in <see cref="WeightDict"/> (engine.py's total).</summary>
    /// <returns>A 0-d tensor.</returns>
    public Tensor WeightedTotal(IReadOnlyDictionary<string, Tensor> losses) => LossWeights.WeightedTotal(losses, WeightDict);

    void CheckLayer(DetectionOutput layer, int batchSize)
    {
        var ls = layer.PredLogits.shape;
        var bs = layer.PredBoxes.shape;
        if (ls.Length != 3 || ls[0] != batchSize)
            throw new ArgumentException($"SetCriterion: pred_logits must be [batch = {batchSize}, queries, classes], got [{string.Join(", ", ls)}]", "outputs");
        long wantClasses = Options.LabelLoss == LabelLossKind.CrossEntropy ? NumClasses + 1 : NumClasses;
        if (ls[2] != wantClasses)
            throw new ArgumentException(
                $"SetCriterion: pred_logits has {ls[2]} classes, expected {wantClasses} " +
                (Options.LabelLoss == LabelLossKind.CrossEntropy ? "(num_classes + 1 for no-object)" : "(num_classes, focal loss)"), "outputs");
        if (bs.Length != 3 || bs[0] != ls[0] || bs[1] != ls[1] || bs[2] != 4)
            throw new ArgumentException($"SetCriterion: pred_boxes must be [{ls[0]}, {ls[1]}, 4], got [{string.Join(", ", bs)}]", "outputs");
    }
}
