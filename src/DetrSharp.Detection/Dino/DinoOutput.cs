using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>One set of predictions: [N, Q, classes] logits and [N, Q, 4] sigmoid cxcywh boxes, and earlier layers' (aux).</summary>
public sealed record DinoPredictions(Tensor PredLogits, Tensor PredBoxes, IReadOnlyList<DinoPredictions> AuxOutputs) : IDisposable
{
    public DinoPredictions(Tensor predLogits, Tensor predBoxes) : this(predLogits, predBoxes, Array.Empty<DinoPredictions>()) { }

    /// <summary>The same predictions with every tensor passed through <paramref name="f"/>.</summary>
    public DinoPredictions Map(Func<Tensor, Tensor> f) => new(f(PredLogits), f(PredBoxes), AuxOutputs.Select(a => a.Map(f)).ToArray());

    internal void MoveToOuter(DisposeScope scope)
    {
        scope.MoveToOuter(PredLogits, PredBoxes);
        foreach (var a in AuxOutputs) a.MoveToOuter(scope);
    }

    public void Dispose()
    {
        PredLogits.Dispose();
        PredBoxes.Dispose();
        foreach (var a in AuxOutputs) a.Dispose();
    }
}

/// <summary>
/// DINO's output dict: the matching queries' last-layer predictions with the earlier layers' (pred_logits,
/// pred_boxes, aux_outputs), the two-stage selection (interm_outputs: predicted boxes;
/// interm_outputs_for_matching_pre: the anchors), and with denoising queries their part
/// (dn_meta.output_known_lbs_bboxes) with pad_size and num_dn_group. Owns its tensors.
/// </summary>
public sealed record DinoOutput(DinoPredictions Main, DinoPredictions Interm, DinoPredictions IntermForMatchingPre, DinoDnOutput? Dn) : IDisposable
{
    public Tensor PredLogits => Main.PredLogits;
    public Tensor PredBoxes => Main.PredBoxes;
    public IReadOnlyList<DinoPredictions> AuxOutputs => Main.AuxOutputs;

    /// <summary>The same output with every tensor passed through <paramref name="f"/> (e.g. <see cref="Families.Float32Region.Cast"/>); the result does not own what it shares with this one.</summary>
    public DinoOutput Map(Func<Tensor, Tensor> f)
        => new(Main.Map(f), Interm.Map(f), IntermForMatchingPre.Map(f), Dn is { } dn ? dn with { Known = dn.Known.Map(f) } : null);

    internal void MoveToOuter(DisposeScope scope)
    {
        Main.MoveToOuter(scope);
        Interm.MoveToOuter(scope);
        IntermForMatchingPre.MoveToOuter(scope);
        Dn?.Known.MoveToOuter(scope);
    }

    public void Dispose()
    {
        Main.Dispose();
        Interm.PredBoxes.Dispose();
        Interm.PredLogits.Dispose();
        // interm_outputs_for_matching_pre shares its logits with interm_outputs
        IntermForMatchingPre.PredBoxes.Dispose();
        Dn?.Known.Dispose();
    }
}

/// <summary>The denoising part (dn_meta): the dn queries' predictions (output_known_lbs_bboxes) and their layout.</summary>
public sealed record DinoDnOutput(DinoPredictions Known, long PadSize, long NumDnGroup);
