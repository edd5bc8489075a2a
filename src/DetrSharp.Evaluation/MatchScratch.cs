namespace DetrSharp.Evaluation;

/// <summary>One worker's buffers for matching a cell; grown on demand and reused across cells.</summary>
internal sealed class MatchScratch
{
    public int D;                          // detections kept (sorted, truncated to maxDets[-1])
    public int G;                          // gts
    public double[] Score = [];            // [n] scores by position in the cell's load order
    public int[] Order = [];               // [n] load positions sorted by descending score
    public int[] Dt = [];                  // [D] detection indices, sorted
    public CocoBox[] DtBox = [];           // [D]
    public int[] Gt = [];                  // [G] gt annotation indices, load order
    public CocoBox[] GtBox = [];           // [G]
    public bool[] GtCrowd = [];            // [G]
    public double[] Iou = [];              // [D, G], gts in load order
    public int[] GtOrder = [];             // [G] ignore-sorted position -> load position
    public bool[] GtIg = [];               // [G] by sorted position
    public long[] GtMatch = [];            // [T, G] by sorted position: matched detection id, 0 = none
    public long[] DtMatch = [];            // [T, D] matched gt id, 0 = none
    public bool[] DtIg = [];               // [T, D]

    public void Reserve(int detections, int kept, int gts, int thresholds)
    {
        Grow(ref Score, detections);
        Grow(ref Order, detections);
        Grow(ref Dt, kept);
        Grow(ref DtBox, kept);
        Grow(ref Gt, gts);
        Grow(ref GtBox, gts);
        Grow(ref GtCrowd, gts);
        Grow(ref Iou, kept * gts);
        Grow(ref GtOrder, gts);
        Grow(ref GtIg, gts);
        Grow(ref GtMatch, thresholds * gts);
        Grow(ref DtMatch, thresholds * kept);
        Grow(ref DtIg, thresholds * kept);
    }

    static void Grow<T>(ref T[] a, int n)
    {
        if (a.Length < n) a = new T[Math.Max(n, a.Length * 2)];
    }
}
