using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>The optimizer a run uses after optim.optimizer's "auto" is resolved, with the lr and SGD momentum it starts from.</summary>
/// <param name="Name">adamw or sgd</param>
/// <param name="Lr">the lr of every group but the backbone's</param>
/// <param name="SgdMomentum">SGD's momentum before any warm-up sets it</param>
/// <param name="Auto">chosen by "auto" (which also starts the bias group's warm-up at 0, as ultralytics)</param>
public sealed record OptimizerChoice(string Name, double Lr, double SgdMomentum, bool Auto);

/// <summary>The optimizer of a run: the family's parameter groups with the optim section's learning rates and decay.</summary>
public static class TrainingOptimizer
{
    /// <summary>
    /// optim.optimizer resolved. "auto" decides as ultralytics' build_optimizer: SGD at lr 0.01 (momentum 0.9) when the
    /// run plans more than 10,000 optimizer steps, else AdamW at lr round(0.002 × 5 / (4 + classes), 6); optim.lr is
    /// then not used.
    /// </summary>
    /// <param name="iterations">the optimizer steps the run plans (ultralytics: ceil(images / max(batch, nbs)) × epochs)</param>
    /// <param name="numClasses">the dataset's classes</param>
    public static OptimizerChoice Choose(OptimConfig c, long iterations, int numClasses)
    {
        if (c.Optimizer != "auto") return new OptimizerChoice(c.Optimizer, c.Lr, c.SgdMomentum, Auto: false);
        double lrFit = Math.Round(0.002 * 5 / (4 + numClasses), 6, MidpointRounding.ToEven);
        return iterations > 10000 ? new OptimizerChoice("sgd", 0.01, 0.9, Auto: true) : new OptimizerChoice("adamw", lrFit, 0.9, Auto: true);
    }

    /// <summary>The optimizer steps a run plans, for "auto": ceil(images / max(batch, nbs)) × epochs, at most those max_steps allows.</summary>
    public static long PlannedIterations(RunConfig config, int trainImages)
    {
        int batch = config.Data.BatchSize;
        long perEpoch = (trainImages + Math.Max(batch, config.Optim.NominalBatchSize) - 1) / Math.Max(batch, config.Optim.NominalBatchSize);
        long planned = perEpoch * config.Schedule.Epochs;
        long accumulate = config.Optim.Accumulate(batch);
        return config.Schedule.MaxSteps > 0 ? Math.Min(planned, (config.Schedule.MaxSteps + accumulate - 1) / accumulate) : planned;
    }

    /// <summary>The optimizer as configured (optim.weight_decay unscaled; "auto" as for a short run of 10 classes).</summary>
    public static optim.Optimizer Create(IDetector detector, OptimConfig c)
        => Create(detector, c, Choose(c, 0, 10), c.WeightDecay, out _);

    /// <summary>
    /// AdamW or SGD (Nesterov) over the detector's groups, in its order: default parameters at the chosen lr with
    /// <paramref name="weightDecay"/>, the backbone at optim.lr_backbone (0 freezes it, as the reference does),
    /// no-decay and bias parameters without weight decay; each group's lr scaled by its <see cref="ParameterGroup.LrScale"/>.
    /// <paramref name="roles"/> gives each optimizer group's role.
    /// </summary>
    public static optim.Optimizer Create(IDetector detector, OptimConfig c, OptimizerChoice choice, double weightDecay, out IReadOnlyList<ParameterRole> roles)
    {
        var groups = new List<optim.ParamGroup>();
        var groupRoles = new List<ParameterRole>();
        foreach (var g in detector.ParameterGroups())
        {
            var ps = g.Parameters.Select(p => p.Parameter).ToList();
            if (ps.Count == 0) continue;
            switch (g.Role)
            {
                case ParameterRole.Backbone when c.LrBackbone <= 0:
                    foreach (var p in ps) p.requires_grad = false;
                    continue;
                case ParameterRole.Backbone:
                    groups.Add(new optim.ParamGroup(ps, lr: c.LrBackbone * g.LrScale));
                    break;
                case ParameterRole.NoDecay or ParameterRole.Bias:
                    groups.Add(new optim.ParamGroup(ps, lr: choice.Lr * g.LrScale, weight_decay: 0));
                    break;
                default:
                    groups.Add(new optim.ParamGroup(ps, lr: choice.Lr * g.LrScale));
                    break;
            }
            groupRoles.Add(g.Role);
        }
        if (groups.Count == 0) throw new InvalidOperationException("the model has no trainable parameter");
        roles = groupRoles;
        return choice.Name switch
        {
            "sgd" => new optim.SGD(groups, lr: choice.Lr, momentum: choice.SgdMomentum, weight_decay: weightDecay, nesterov: true),
            "adamw" => new optim.AdamW(groups, lr: choice.Lr, weight_decay: weightDecay),
            _ => throw new ArgumentException($"optim.optimizer: no optimizer \"{choice.Name}\" (adamw, sgd or auto)"),
        };
    }
}
