namespace DetrSharp.Evaluation;

/// <summary>One record of a standard COCO detection-results file: <c>{image_id, category_id, bbox, score}</c>.</summary>
/// <param name="ImageId">The image the box was detected on; must be an image of the ground truth.</param>
/// <param name="CategoryId">The predicted category (detections of categories not evaluated are left out).</param>
/// <param name="Box">The box, <c>[x, y, w, h]</c>; its area for area ranges is <c>w * h</c>.</param>
/// <param name="Score">The confidence; higher ranks first.</param>
public readonly record struct CocoDetection(long ImageId, long CategoryId, CocoBox Box, double Score);
