namespace DetrSharp.Data.Synthetic;

/// <summary>
/// The look of the synthetic set: the same shape classes, geometry, sizes and occlusion drawn from another colour
/// palette on another family of background textures, so that a model can be pre-trained on one appearance and
/// fine-tuned on the other (a domain shift without a download).
/// </summary>
public enum SyntheticStyle
{
    /// <summary>The default: saturated primary colours on muted noisy, gradient, striped, checkered or radial backgrounds.</summary>
    Standard,
    /// <summary>Pastel colours on dark backgrounds of dots, concentric rings, thin hatching or soft blotches.</summary>
    Pastel,
}
