namespace DetrSharp.Evaluation;

/// <summary>One entry of a COCO dataset's <c>images</c> list (only <see cref="Id"/> matters to evaluation).</summary>
/// <param name="Id">The image id that annotations and detections refer to.</param>
/// <param name="FileName">The <c>file_name</c> field, when present.</param>
/// <param name="Width">The <c>width</c> field, 0 when absent.</param>
/// <param name="Height">The <c>height</c> field, 0 when absent.</param>
public sealed record CocoImage(long Id, string? FileName = null, int Width = 0, int Height = 0);
