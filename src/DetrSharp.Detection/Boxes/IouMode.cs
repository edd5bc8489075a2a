namespace DetrSharp.Detection.Boxes;

/// <summary>Which overlap mmdetection's bbox_overlaps computes.</summary>
public enum IouMode
{
    /// <summary>Intersection over union ("iou").</summary>
    Iou,
    /// <summary>Intersection over the first box's area, "intersection over foreground" ("iof").</summary>
    Iof,
    /// <summary>Generalized IoU ("giou").</summary>
    Giou,
}
