using DetrSharp.Torch;

namespace DetrSharp.Detection.Families;

/// <summary>
/// The one boundary between a detector's forward, which may run under the caller's autocast (runtime.precision bf16
/// or fp16), and what stays in float32 under every precision: criteria (matcher costs, assignment, losses), box
/// decoding and post-processing. Entering turns autocast off for the device until disposed; <see cref="Cast"/> gives
/// a forward output in float32. Without autocast it does nothing and <see cref="Cast"/> returns its argument, so a
/// float32 run computes exactly what it did before.
/// <code>
/// using var output = Model.forward(batch.Samples);        // under autocast: bf16 logits
/// using var fp32 = Float32Region.Enter(output.PredLogits);
/// return criterion.Forward(output.Map(fp32.Cast), ...);   // float32, autocast off
/// </code>
/// </summary>
public sealed class Float32Region : IDisposable
{
    readonly AutocastMode? _off;

    Float32Region(AutocastMode? off) => _off = off;

    /// <summary>Leaves autocast for the device of <paramref name="onDevice"/> (any tensor of the forward) when it is on.</summary>
    public static Float32Region Enter(Tensor onDevice)
    {
        var type = onDevice.device.type;
        return new Float32Region(torch.is_autocast_enabled(type) ? torch.autocast(type, enabled: false) : null);
    }

    /// <summary>True when autocast was on at entry (the forward's outputs may be in lower precision).</summary>
    public bool Active => _off != null;

    /// <summary><paramref name="t"/> in float32 (a new tensor in the current dispose scope) when it is a lower-precision float
    /// under an active region; otherwise <paramref name="t"/> itself.</summary>
    public Tensor Cast(Tensor t) => _off != null && (t.dtype is ScalarType.BFloat16 or ScalarType.Float16) ? t.to(ScalarType.Float32) : t;

    public void Dispose() => _off?.Dispose();
}
