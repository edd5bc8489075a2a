namespace DetrSharp.Detection.Boxes;

/// <summary>
/// Which overlap a box-overlap function computes: mmdetection's bbox_overlaps takes Iou, Iof and Giou;
/// ultralytics' bbox_iou (<see cref="BboxIou"/>) takes Iou, Giou, Diou and Ciou.
/// </summary>
public enum IouMode
{
    /// <summary>Intersection over union ("iou").</summary>
    Iou,
    /// <summary>Intersection over the first box's area, "intersection over foreground" ("iof").</summary>
    Iof,
    /// <summary>Generalized IoU ("giou").</summary>
    Giou,
    /// <summary>Distance IoU: IoU minus the squared centre distance over the enclosing box's squared diagonal.</summary>
    Diou,
    /// <summary>Complete IoU: DIoU minus the aspect-ratio consistency term v·alpha.</summary>
    Ciou,
}
