namespace DetrSharp.Data.Transforms;

/// <summary>ultralytics' detection augmentation settings (its default.yaml values as defaults).</summary>
public sealed record YoloAugmentOptions
{
    /// <summary>Training and validation image size (square, a multiple of the models' largest stride).</summary>
    public int ImgSize { get; init; } = 640;
    /// <summary>Probability of a 2×2 mosaic.</summary>
    public double Mosaic { get; init; } = 1.0;
    /// <summary>Probability of mixing with a second (mosaic-augmented) image.</summary>
    public double MixUp { get; init; }
    /// <summary>Rotation range ± degrees.</summary>
    public double Degrees { get; init; }
    /// <summary>Translation range ± fraction of the output size.</summary>
    public double Translate { get; init; } = 0.1;
    /// <summary>Scale gain range: s in [1 − scale, 1 + scale].</summary>
    public double Scale { get; init; } = 0.5;
    /// <summary>Shear range ± degrees.</summary>
    public double Shear { get; init; }
    /// <summary>Perspective range ± (0 to 0.001 in ultralytics' advice).</summary>
    public double Perspective { get; init; }
    /// <summary>HSV gains: each channel is multiplied by 1 + uniform(−gain, gain).</summary>
    public double HsvH { get; init; } = 0.015;
    public double HsvS { get; init; } = 0.7;
    public double HsvV { get; init; } = 0.4;
    /// <summary>Probability of a left-right flip.</summary>
    public double FlipLR { get; init; } = 0.5;
    /// <summary>Mosaic and mixup are off for the last this many epochs.</summary>
    public int CloseMosaic { get; init; } = 10;
}
