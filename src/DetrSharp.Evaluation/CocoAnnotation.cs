namespace DetrSharp.Evaluation;

/// <summary>
/// One ground-truth object of a COCO instances file. As in pycocotools, the area used for
/// area ranges is the annotation's own <c>area</c> field, not the box's, and a crowd
/// annotation is always ignored (its <c>ignore</c> field, if any, is overwritten by <c>iscrowd</c>).
/// </summary>
/// <param name="Id">The annotation id (a detection matched to a gt of id 0 counts as unmatched, as in pycocotools).</param>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Box">Its box, <c>[x, y, w, h]</c>.</param>
/// <param name="Area">The <c>area</c> field.</param>
/// <param name="IsCrowd">The <c>iscrowd</c> flag (0 when absent).</param>
public readonly record struct CocoAnnotation(long Id, long ImageId, long CategoryId, CocoBox Box, double Area, bool IsCrowd);
