using DetrSharp.Detection.Losses;
using DetrSharp.Torch;

using DetrSharp.Detection.Models;

namespace DetrSharp.Detection.Detr;

/// <summary>
/// DETR's output dict: the last decoder layer's class logits and boxes, and (with aux_loss) the same for every
/// earlier decoder layer. Owns its tensors; dispose it (or run inside a dispose scope).
/// </summary>
/// <param name="PredLogits">[batch, queries, classes + 1] (the last column is no-object)</param>
/// <param name="PredBoxes">[batch, queries, 4] normalised (cx, cy, w, h) in [0, 1]</param>
/// <param name="AuxOutputs">one per decoder layer but the last, in layer order (empty without aux_loss); their own AuxOutputs are empty</param>
public sealed record DetrOutput(Tensor PredLogits, Tensor PredBoxes, IReadOnlyList<DetrOutput> AuxOutputs) : IDisposable
{
    /// <summary>An output without auxiliary outputs.</summary>
    public DetrOutput(Tensor predLogits, Tensor predBoxes) : this(predLogits, predBoxes, Array.Empty<DetrOutput>()) { }

    /// <summary>The same tensors (not copies) as the criterion's <see cref="DetectionOutput"/>; this record keeps owning them.</summary>
    public DetectionOutput ToDetectionOutput()
        => new(PredLogits, PredBoxes, auxOutputs: AuxOutputs.Select(a => new DetectionOutput(a.PredLogits, a.PredBoxes)).ToArray());

    /// <summary>The same output with every tensor passed through <paramref name="f"/> (e.g. <see cref="Families.Float32Region.Cast"/>); the result does not own what it shares with this one.</summary>
    public DetrOutput Map(Func<Tensor, Tensor> f) => new(f(PredLogits), f(PredBoxes), AuxOutputs.Select(a => a.Map(f)).ToArray());

    /// <summary>Moves every tensor to the enclosing dispose scope.</summary>
    public DetrOutput MoveToOuterDisposeScope()
    {
        PredLogits.MoveToOuterDisposeScope();
        PredBoxes.MoveToOuterDisposeScope();
        foreach (var aux in AuxOutputs) aux.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        PredLogits.Dispose();
        PredBoxes.Dispose();
        foreach (var aux in AuxOutputs) aux.Dispose();
    }
}
