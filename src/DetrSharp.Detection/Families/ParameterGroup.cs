using DetrSharp.Torch;

namespace DetrSharp.Detection.Families;

/// <summary>Which learning rate and weight decay a parameter takes.</summary>
public enum ParameterRole
{
    /// <summary>The run's lr and weight decay.</summary>
    Default,
    /// <summary>The backbone's lr (optim.lr_backbone; 0 freezes it) and the weight decay.</summary>
    Backbone,
    /// <summary>The run's lr without weight decay (BatchNorm weights and biases, as ultralytics groups them).</summary>
    NoDecay,
}

/// <summary>
/// Parameters that share a role, with their state_dict names (for messages and freezing). <paramref name="LrScale"/>
/// multiplies the role's learning rate (DINO's sampling offsets and reference points train at lr × lr_linear_proj_mult).
/// </summary>
public sealed record ParameterGroup(ParameterRole Role, IReadOnlyList<(string Name, Tensor Parameter)> Parameters, double LrScale = 1.0);
