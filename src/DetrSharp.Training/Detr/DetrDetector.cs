using DetrSharp.Data.Loading;
using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Training.Detr;

/// <summary>DETR with its Hungarian matcher and set criterion, as the engine drives it.</summary>
public sealed class DetrDetector : IDetector
{
    readonly DETR _model;
    readonly SetCriterion _criterion;
    readonly int _topK;

    DetrDetector(DETR model, SetCriterion criterion, int topK)
    {
        _model = model;
        _criterion = criterion;
        _topK = topK;
    }

    /// <summary>The model and criterion a training config describes, for <paramref name="numClasses"/> object classes.</summary>
    public static DetrDetector Create(TrainConfig c, int numClasses)
    {
        var model = DetrBuilder.Build(ModelConfig(c, numClasses));
        if (c.InitFrom is { } path)
        {
            var result = model.load_state_dict(path, strict: false);
            if (result.missing_keys.Count == model.state_dict().Count)
                throw new ArgumentException($"{path}: no key of the checkpoint matches the model ({result})");
        }
        var matcher = new HungarianMatcher(c.SetCostClass, c.SetCostBbox, c.SetCostGiou);
        var weights = LossWeights.Detr(c.DecLayers, c.BboxLossCoef, c.GiouLossCoef, c.AuxLoss, ceLossCoef: c.CeLossCoef);
        var criterion = new SetCriterion(numClasses, matcher, weights, c.EosCoef,
            new[] { CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality });
        return new DetrDetector(model, criterion, c.TopkDetections);
    }

    /// <summary>The model part of a training config.</summary>
    public static DetrConfig ModelConfig(TrainConfig c, int numClasses) => new()
    {
        Backbone = c.Backbone,
        Dilation = c.Dilation,
        BackboneStages = c.BackboneStages,
        FreezeStem = c.FreezeStem,
        PositionEmbedding = c.PositionEmbedding == "learned" ? PositionEmbeddingKind.Learned : PositionEmbeddingKind.Sine,
        BackboneNorm = c.TrainableBatchNorm ? ResNetNorm.BatchNorm : ResNetNorm.Frozen,
        LrBackbone = c.LrBackbone,
        HiddenDim = c.HiddenDim,
        NHeads = c.Nheads,
        EncLayers = c.EncLayers,
        DecLayers = c.DecLayers,
        DimFeedforward = c.DimFeedforward,
        Dropout = c.Dropout,
        NumQueries = c.NumQueries,
        PreNorm = c.PreNorm,
        AnchorBoxes = c.AnchorBoxes,
        AuxLoss = c.AuxLoss,
        NumClasses = numClasses,
    };

    public DETR Model => _model;
    public nn.Module Module => _model;
    public IReadOnlyDictionary<string, double> WeightDict => _criterion.WeightDict;
    public bool IsBackboneParameter(string name) => name.StartsWith("backbone.", StringComparison.Ordinal);

    public IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        using var samples = new NestedTensor(batch.Images.alias(), batch.Mask.alias());
        var output = _model.forward(samples);
        var targets = batch.Targets.Select(t => new DetectionTarget(t.Labels, t.Boxes)).ToList();
        return _criterion.Forward(ToCriterion(output), targets);
    }

    static DetectionOutput ToCriterion(DetrOutput o)
        => new(o.PredLogits, o.PredBoxes, null, o.AuxOutputs.Select(a => new DetectionOutput(a.PredLogits, a.PredBoxes)).ToList());

    public IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var samples = new NestedTensor(batch.Images.alias(), batch.Mask.alias());
        var output = _model.forward(samples);
        var sizes = torch.tensor(batch.Targets.SelectMany(t => new long[] { t.OriginalSize.Height, t.OriginalSize.Width }).ToArray(), new long[] { batch.Count, 2 });
        // DETR's one detection per query, or the best (query, class) pairs of the image
        var results = _topK > 0 ? DetrPostProcess.ProcessTopK(output, sizes, _topK) : DetrPostProcess.Process(output, sizes);
        var list = new List<ImageDetections>(batch.Count);
        for (int i = 0; i < results.Count; i++)
        {
            var scores = results[i].Scores.data<float>();
            var labels = results[i].Labels.data<long>();
            var boxes = results[i].Boxes.contiguous().data<float>();
            var keep = Enumerable.Range(0, scores.Length).Where(k => scores[k] >= scoreThreshold).ToArray();
            list.Add(new ImageDetections(batch.Targets[i].ImageId,
                keep.Select(k => scores[k]).ToArray(),
                keep.Select(k => (int)labels[k]).ToArray(),
                keep.SelectMany(k => boxes.AsSpan(k * 4, 4).ToArray()).ToArray()));
        }
        return list;
    }

    public void Dispose() => _model.Dispose();
}
