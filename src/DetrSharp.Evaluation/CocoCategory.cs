namespace DetrSharp.Evaluation;

/// <summary>One entry of a COCO dataset's <c>categories</c> list.</summary>
/// <param name="Id">The category id that annotations and detections refer to.</param>
/// <param name="Name">The <c>name</c> field, when present.</param>
/// <param name="Supercategory">The <c>supercategory</c> field, when present.</param>
public sealed record CocoCategory(long Id, string? Name = null, string? Supercategory = null);
