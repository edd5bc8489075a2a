using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>What the YOLO losses return, as the reference's (loss.sum() * batch_size, loss.detach()).</summary>
/// <param name="Total">0-d loss to back-propagate: the gained items summed, times the batch size.</param>
/// <param name="Items">[3] detached (box, cls, dfl) after their gains; [6] for v10 (one-to-many, then one-to-one).</param>
public sealed record YoloLossOutput(Tensor Total, Tensor Items) : IDisposable
{
    public void Dispose()
    {
        Total.Dispose();
        Items.Dispose();
    }
}
