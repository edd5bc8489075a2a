namespace DetrSharp.Data.Synthetic;

/// <summary>What <see cref="SyntheticShapes.Generate"/> writes.</summary>
public sealed class SyntheticShapesOptions
{
    /// <summary>Training images (default 1000).</summary>
    public int TrainImages { get; init; } = 1000;

    /// <summary>Validation images (default 200).</summary>
    public int ValImages { get; init; } = 200;

    /// <summary>Side of the square images in pixels (default 128).</summary>
    public int ImageSize { get; init; } = 128;

    /// <summary>Seed; the same seed and settings give byte-identical files.</summary>
    public long Seed { get; init; }

    /// <summary>Most shapes drawn per image (default 6; at least one always survives occlusion).</summary>
    public int MaxObjects { get; init; } = 6;

    /// <summary>The layout written: a COCO folder (default) or the YOLO layout (data.yaml, images/, labels/).</summary>
    public SyntheticShapesFormat Format { get; init; } = SyntheticShapesFormat.Coco;

    /// <summary>The look: <see cref="SyntheticStyle.Standard"/> (default) or another palette and background family.</summary>
    public SyntheticStyle Style { get; init; } = SyntheticStyle.Standard;

    /// <summary>
    /// Categories listed in the annotations (default 5, the shapes, ids 1..5). More lists that many ids 1..N, the five
    /// shapes spread over them (<see cref="SyntheticShapes.CategoryIds"/>) and the rest unused, as COCO's 80 classes
    /// are spread over ids 1..90: 91 gives the label space of a COCO model, to pre-train weights with 91 classes.
    /// </summary>
    public int Classes { get; init; } = ShapeGeometry.KindCount;

    /// <summary>Regenerate even when the folder already holds this dataset, or holds something else.</summary>
    public bool Force { get; init; }

    /// <summary>Images rendered in parallel (0 = processor count). Output does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    internal void Validate()
    {
        if (TrainImages < 1) throw new ArgumentOutOfRangeException(nameof(TrainImages), $"train image count {TrainImages} is below 1");
        if (ValImages < 0) throw new ArgumentOutOfRangeException(nameof(ValImages), $"val image count {ValImages} is negative");
        if (ImageSize is < 32 or > 4096) throw new ArgumentOutOfRangeException(nameof(ImageSize), $"image size {ImageSize} is not in 32..4096");
        if (MaxObjects is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(MaxObjects), $"max objects {MaxObjects} is not in 1..100");
        if (Classes is < ShapeGeometry.KindCount or > 1000) throw new ArgumentOutOfRangeException(nameof(Classes), $"--classes {Classes} is not in {ShapeGeometry.KindCount}..1000 (the five shapes, the rest unused ids)");
        if (!Enum.IsDefined(Style)) throw new ArgumentOutOfRangeException(nameof(Style), $"style {Style} is not a synthetic style");
        if (MaxDegreeOfParallelism < 0) throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), $"parallelism {MaxDegreeOfParallelism} is negative");
    }
}
