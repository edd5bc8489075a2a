namespace DetrSharp.Detection.Matching;

/// <summary>The box space in which mmdetection's BBoxL1Cost measures the L1 distance (its box_format).</summary>
public enum BoxL1Format
{
    /// <summary>"xyxy" (DETR in mmdetection): predictions converted to corners, targets given as corners.</summary>
    Xyxy,
    /// <summary>"xywh" (Sparse R-CNN): targets converted to (cx, cy, w, h), predictions given so.</summary>
    Xywh,
}
