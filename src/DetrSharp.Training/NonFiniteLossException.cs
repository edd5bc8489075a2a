namespace DetrSharp.Training;

/// <summary>A loss term became NaN or infinite: the run stops here, the last good checkpoint kept.</summary>
public sealed class NonFiniteLossException(long step, string term, double value)
    : Exception($"loss is not finite at step {step}: {term} = {value}; stopping (the last good checkpoint is kept)")
{
    public long Step { get; } = step;
    public string Term { get; } = term;
    public double Value { get; } = value;
}
