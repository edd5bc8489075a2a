namespace DetrSharp.Data.Coco;

/// <summary>One valid annotation, compact.</summary>
internal readonly record struct CocoAnnotationRow(long Id, int CategoryId, int Label, double X, double Y, double W, double H,
    float Area, int IsCrowd);

/// <summary>One valid image and its valid annotations in file order.</summary>
internal sealed record CocoImageRow(long Id, string FileName, string FilePath, int Width, int Height, CocoAnnotationRow[] Annotations);

/// <summary>The validated content of a COCO file: categories, images in increasing id order, the problems skipped.</summary>
internal sealed record CocoIndex(CocoCategories Categories, CocoImageRow[] Images, IReadOnlyList<DatasetException> Problems);
