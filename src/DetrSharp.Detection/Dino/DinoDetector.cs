using DetrSharp.Detection.Families;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO with contrastive denoising, its criterion and post-processing, behind the family contract. In training the
/// denoising queries are drawn from torch's default generator (seeded by the run, saved and restored by checkpoints,
/// so a resumed run draws the same noise as a straight one).
/// </summary>
public sealed class DinoDetector : IDetector
{
    readonly DinoConfig _config;

    public DinoDetector(DINO model, DinoCriterion criterion, DinoConfig config)
    {
        Model = model;
        Criterion = criterion;
        _config = config;
    }

    public string Family => "dino";
    public DINO Model { get; }
    public nn.Module Module => Model;
    public DinoCriterion Criterion { get; }
    public IReadOnlyDictionary<string, double> WeightDict => Criterion.WeightDict;

    /// <summary>The backbone's parameters at optim.lr_backbone, the rest at optim.lr (build_dino's param_dicts, without the linear_proj multiplier).</summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = Model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        static bool IsBackbone(string name) => name.StartsWith("backbone.", StringComparison.Ordinal);
        // DINO's lr_linear_proj_names: the deformable attention's sampling offsets and the reference-point projections
        static bool IsLinearProj(string name) => name.Contains("sampling_offsets", StringComparison.Ordinal) || name.Contains("reference_points", StringComparison.Ordinal);
        return
        [
            new ParameterGroup(ParameterRole.Default, named.Where(p => !IsBackbone(p.name) && !IsLinearProj(p.name)).Select(p => (p.name, p.parameter)).ToList()),
            new ParameterGroup(ParameterRole.Default, named.Where(p => !IsBackbone(p.name) && IsLinearProj(p.name)).Select(p => (p.name, p.parameter)).ToList(),
                _config.LrLinearProjMult),
            new ParameterGroup(ParameterRole.Backbone, named.Where(p => IsBackbone(p.name)).Select(p => (p.name, p.parameter)).ToList()),
        ];
    }

    /// <summary>
    /// The denoising queries of the batch's targets (in training, dn_number &gt; 0 and some object in the batch), the
    /// forward with them, and DINO's criterion: every named loss (main, _i, _interm, _dn, _dn_i).
    /// </summary>
    /// <summary>The backbone, or its ResNet's stem and first N - 1 stages (see <see cref="Models.Backbone.LeadingPrefixes"/>).</summary>
    public IReadOnlyList<string> FreezePrefixes(int? leadingModules)
    {
        if (leadingModules is not { } n) return ["backbone."];
        if (Model.Backbone.Backbone is not { } resnet)
            throw new NotSupportedException("dino: --freeze N counts the stages of a ResNet backbone, and this model's backbone is not one; use --freeze backbone");
        return resnet.LeadingPrefixes(n).Select(p => "backbone.0." + p).ToList();
    }

    public IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        bool training = Model.training;
        DnQueries? dn = null;
        if (training && _config.DnNumber > 0 && batch.Targets.Any(t => t.Count > 0))
            dn = ContrastiveDenoising.Prepare(batch.Targets, _config.DnNumber, _config.DnLabelNoiseRatio, _config.DnBoxNoiseScale,
                _config.NumQueries, _config.NumClasses);                               // labels [B, pad], boxes [B, pad, 4], mask [pad + Q, pad + Q]
        using var output = Model.forward(batch.Samples, dn);                           // under the caller's autocast
        using var fp32 = Float32Region.Enter(output.PredLogits);
        return Criterion.Compute(output.Map(fp32.Cast), batch.Targets, training).Losses;
    }

    /// <summary>DINO's PostProcess: the top num_select (query, class) pairs per image, boxes in the image's stored pixels.</summary>
    public IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var output = Model.forward(batch.Samples);                               // under the caller's autocast
        using var fp32 = Float32Region.Enter(output.PredLogits);
        var sizes = batch.OriginalSizes(output.PredBoxes.device);                                    // [batch, 2] (h, w)
        var results = DinoPostProcess.Process(output.Map(fp32.Cast), sizes, _config.NumSelect);
        var list = new List<ImageDetections>(batch.Count);
        for (int i = 0; i < results.Count; i++)
        {
            list.Add(ImageDetections.From(batch.Targets[i].ImageId, results[i].Scores, results[i].Labels, results[i].Boxes, scoreThreshold));
            results[i].Dispose();
        }
        return list;
    }

    public void Dispose() => Model.Dispose();
}
