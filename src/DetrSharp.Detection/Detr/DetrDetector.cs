using DetrSharp.Detection.Families;
using DetrSharp.Detection.Losses;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Detr;

/// <summary>DETR with its matcher and set criterion, behind the family contract.</summary>
public sealed class DetrDetector : IDetector
{
    readonly SetCriterion _criterion;
    readonly int _topK;

    public DetrDetector(DETR model, SetCriterion criterion, int topK)
    {
        Model = model;
        _criterion = criterion;
        _topK = topK;
    }

    public string Family => "detr";
    public DETR Model { get; }
    public nn.Module Module => Model;
    public SetCriterion Criterion => _criterion;
    public IReadOnlyDictionary<string, double> WeightDict => _criterion.WeightDict;

    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = Model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        bool IsBackbone(string name) => name.StartsWith("backbone.", StringComparison.Ordinal);
        return
        [
            new ParameterGroup(ParameterRole.Default, named.Where(p => !IsBackbone(p.name)).Select(p => (p.name, p.parameter)).ToList()),
            new ParameterGroup(ParameterRole.Backbone, named.Where(p => IsBackbone(p.name)).Select(p => (p.name, p.parameter)).ToList()),
        ];
    }

    /// <summary>The backbone, or its ResNet's stem and first N - 1 stages (see <see cref="Models.Backbone.LeadingPrefixes"/>).</summary>
    public IReadOnlyList<string> FreezePrefixes(int? leadingModules)
    {
        if (leadingModules is not { } n) return ["backbone."];
        if (Model.Backbone.Backbone is not { } resnet)
            throw new NotSupportedException("detr: --freeze N counts the stages of a ResNet backbone, and this model's backbone is not one; use --freeze backbone");
        return resnet.LeadingPrefixes(n).Select(p => "backbone.0." + p).ToList();
    }

    public IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        using var output = Model.forward(batch.Samples);                                     // under the caller's autocast
        using var fp32 = Float32Region.Enter(output.PredLogits);
        return _criterion.Forward(output.Map(fp32.Cast).ToDetectionOutput(), batch.Targets);
    }

    public IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var forward = Model.forward(batch.Samples);                                     // under the caller's autocast
        using var fp32 = Float32Region.Enter(forward.PredLogits);
        var output = forward.Map(fp32.Cast);
        var sizes = batch.OriginalSizes(output.PredBoxes.device);                                    // [batch, 2] (h, w)
        // DETR's one detection per query, or the best (query, class) pairs of the image
        var results = _topK > 0 ? DetrPostProcess.ProcessTopK(output, sizes, _topK) : DetrPostProcess.Process(output, sizes);
        var list = new List<ImageDetections>(batch.Count);
        for (int i = 0; i < results.Count; i++)
            list.Add(ImageDetections.From(batch.Targets[i].ImageId, results[i].Scores, results[i].Labels, results[i].Boxes, scoreThreshold));
        return list;
    }

    public void Dispose() => Model.Dispose();
}
