namespace DetrSharp.Data.Coco;

/// <summary>
/// One image of a <see cref="CocoDataset"/> and its training targets, as the DETR reference's
/// <c>ConvertCocoPolysToMask</c> makes them (before transforms): crowd annotations dropped, boxes xyxy in pixels
/// clipped to the image, degenerate boxes dropped. Every call to <see cref="CocoDataset.GetRecord"/> returns
/// fresh arrays, so transforms may modify them in place.
/// </summary>
public sealed class CocoRecord
{
    /// <summary>Position in the dataset (0..Count-1; images are in increasing image id order).</summary>
    public required int Index { get; init; }
    /// <summary>The COCO image id.</summary>
    public required long ImageId { get; init; }
    /// <summary>The file name as the annotations give it.</summary>
    public required string FileName { get; init; }
    /// <summary>The image file: the image folder joined with <see cref="FileName"/>.</summary>
    public required string FilePath { get; init; }
    /// <summary>Image width in pixels, as the annotations give it.</summary>
    public required int Width { get; init; }
    /// <summary>Image height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Boxes in pixels, row-major <c>[n, 4]</c>: x1, y1, x2, y2 with x2 &gt; x1, y2 &gt; y1.</summary>
    public required float[] Boxes { get; init; }
    /// <summary>Contiguous labels 0..K-1, <c>[n]</c> (see <see cref="CocoCategories"/>).</summary>
    public required int[] Labels { get; init; }
    /// <summary>The COCO category ids, <c>[n]</c>.</summary>
    public required int[] CategoryIds { get; init; }
    /// <summary>0 or 1 per object, <c>[n]</c> (all 0 when crowd annotations are dropped, the default).</summary>
    public required int[] IsCrowd { get; init; }
    /// <summary>The annotations' "area" (segmentation area, not box area), <c>[n]</c>.</summary>
    public required float[] Areas { get; init; }
    /// <summary>The annotation ids, <c>[n]</c>.</summary>
    public required long[] AnnotationIds { get; init; }

    /// <summary>n, the number of objects (0 for a negative image).</summary>
    public int Count => Labels.Length;
}
