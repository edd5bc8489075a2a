namespace DetrSharp.Detection.Families;

/// <summary>One image's detections in the pixels of the image as stored (x1, y1, x2, y2 per box), best first or in the family's order.</summary>
public sealed record ImageDetections(long ImageId, float[] Scores, int[] Labels, float[] BoxesXyxy)
{
    public int Count => Scores.Length;
}
