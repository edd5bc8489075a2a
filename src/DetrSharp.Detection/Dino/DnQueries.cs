using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// The denoising queries prepare_for_cdn makes for one batch: noised labels (embedded by the model's
/// <c>label_enc</c>) and noised boxes in logit space, in front of the matching queries, with the self-attention
/// mask that keeps them apart. The caller owns the tensors.
/// </summary>
/// <param name="Labels">[N, pad] int64 label_enc rows; −1 marks a padding slot (a zero query)</param>
/// <param name="BoxesUnsigmoid">[N, pad, 4] inverse_sigmoid of the noised cxcywh boxes</param>
/// <param name="AttnMask">[pad + Q, pad + Q] bool, true = blocked</param>
/// <param name="PadSize">pad: 2 × max targets × groups</param>
/// <param name="NumDnGroup">groups of positive and negative copies</param>
public sealed record DnQueries(Tensor Labels, Tensor BoxesUnsigmoid, Tensor AttnMask, long PadSize, long NumDnGroup);
