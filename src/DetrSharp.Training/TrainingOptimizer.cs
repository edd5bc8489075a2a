using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>The optimizer of a run: the family's parameter groups with the optim section's learning rates and decay.</summary>
public static class TrainingOptimizer
{
    /// <summary>
    /// AdamW over the detector's groups: default parameters at optim.lr, the backbone at optim.lr_backbone (0 freezes it,
    /// as the reference does), no-decay parameters without weight decay;
    /// each group's lr scaled by its <see cref="ParameterGroup.LrScale"/>.
    /// </summary>
    public static optim.AdamW Create(IDetector detector, OptimConfig c)
    {
        var groups = new List<optim.ParamGroup>();
        foreach (var g in detector.ParameterGroups())
        {
            var ps = g.Parameters.Select(p => p.Parameter).ToList();
            if (ps.Count == 0) continue;
            switch (g.Role)
            {
                case ParameterRole.Backbone when c.LrBackbone <= 0:
                    foreach (var p in ps) p.requires_grad = false;
                    break;
                case ParameterRole.Backbone:
                    groups.Add(new optim.ParamGroup(ps, lr: c.LrBackbone * g.LrScale));
                    break;
                case ParameterRole.NoDecay:
                    groups.Add(new optim.ParamGroup(ps, lr: c.Lr * g.LrScale, weight_decay: 0));
                    break;
                default:
                    groups.Add(new optim.ParamGroup(ps, lr: c.Lr * g.LrScale));
                    break;
            }
        }
        if (groups.Count == 0) throw new InvalidOperationException("the model has no trainable parameter");
        return new optim.AdamW(groups, lr: c.Lr, weight_decay: c.WeightDecay);
    }
}
