namespace DetrSharp.Torch;

public static partial class nn
{
    /// <summary>
    /// How a loss reduces its per-element values, as PyTorch's reduction="none" | "mean" | "sum".
    /// The values are ATen's (at::Reduction), passed to the operators as they are.
    /// </summary>
    public enum Reduction : long
    {
        /// <summary>No reduction: the loss has the shape of its input (reduction="none").</summary>
        None = 0,
        /// <summary>The (weighted) mean (reduction="mean").</summary>
        Mean = 1,
        /// <summary>The sum (reduction="sum").</summary>
        Sum = 2,
    }

    /// <summary>Parses PyTorch's reduction strings: "none", "mean", "sum".</summary>
    public static Reduction ParseReduction(string reduction) => reduction switch
    {
        "none" => Reduction.None,
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        _ => throw new ArgumentException($"reduction must be \"none\", \"mean\" or \"sum\", got \"{reduction}\"", nameof(reduction)),
    };
}
