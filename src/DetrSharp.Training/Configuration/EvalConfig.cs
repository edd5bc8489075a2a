using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>The <c>eval</c> section: when a run evaluates on the validation split (it always does at the end).</summary>
public sealed record EvalConfig
{
    /// <summary>Evaluate every N epochs (0 = only at the end).</summary>
    public int Every { get; init; } = 10;

    public void Validate() => ConfigException.Check(Every >= 0, $"eval.every must be >= 0 (0 = at the end only); got {Every}");
}
