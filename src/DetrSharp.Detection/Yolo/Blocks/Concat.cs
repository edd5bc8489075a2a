using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>ultralytics Concat: concatenates its inputs along one dimension (channels in the YAMLs).</summary>
public sealed class Concat(long dimension = 1) : nn.Module<IReadOnlyList<Tensor>, Tensor>(nameof(Concat))
{
    public long Dimension { get; } = dimension;

    /// <param name="input">k tensors [B, Ci, H, W]</param>
    /// <returns>[B, sum Ci, H, W]</returns>
    public override Tensor forward(IReadOnlyList<Tensor> input) => torch.cat(input.ToArray(), Dimension);
}
