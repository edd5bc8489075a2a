using System.Globalization;
using System.Text.Json.Nodes;

namespace DetrSharp.Evaluation;

/// <summary>
/// The result of <c>COCOeval.summarize</c> for bbox: the 12 stats (−1 where nothing could be averaged),
/// pycocotools' 12 printed lines, per-category AP and the accumulated arrays.
/// </summary>
public sealed class CocoStats
{
    /// <summary>The names of <see cref="Stats"/> in order, as the CLI's JSON writes them.</summary>
    public static IReadOnlyList<string> StatNames { get; } =
        ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];

    /// <summary>pycocotools' <c>stats</c> array. // [12]</summary>
    public required double[] Stats { get; init; }

    /// <summary>The 12 summary lines exactly as pycocotools prints them.</summary>
    public required IReadOnlyList<string> Lines { get; init; }

    /// <summary>
    /// Per category: the mean of <c>precision[:, :, k, 0, -1]</c> over entries > −1 (area range 0, the largest
    /// maxDets), −1 if none; keyed by category id (the single key −1 when useCats = 0), in K-axis order.
    /// </summary>
    public required IReadOnlyDictionary<long, double> PerCategoryAP { get; init; }

    /// <summary>The accumulated arrays the stats were read from.</summary>
    public required CocoAccumulation Accumulation { get; init; }

    /// <summary>Interpolated precision. // [T, R, K, A, M]</summary>
    public double[,,,,] Precision => Accumulation.Precision;

    /// <summary>Final recall. // [T, K, A, M]</summary>
    public double[,,,] Recall => Accumulation.Recall;

    /// <summary>AP @[IoU=0.50:0.95 | area=all | maxDets=100].</summary>
    public double AP => Stats[0];
    /// <summary>AP @[IoU=0.50 | area=all | maxDets=maxDets[2]].</summary>
    public double AP50 => Stats[1];
    /// <summary>AP @[IoU=0.75 | area=all | maxDets=maxDets[2]].</summary>
    public double AP75 => Stats[2];
    /// <summary>AP for small objects.</summary>
    public double APs => Stats[3];
    /// <summary>AP for medium objects.</summary>
    public double APm => Stats[4];
    /// <summary>AP for large objects.</summary>
    public double APl => Stats[5];
    /// <summary>AR with maxDets[0] detections per image.</summary>
    public double AR1 => Stats[6];
    /// <summary>AR with maxDets[1] detections per image.</summary>
    public double AR10 => Stats[7];
    /// <summary>AR with maxDets[2] detections per image.</summary>
    public double AR100 => Stats[8];
    /// <summary>AR for small objects.</summary>
    public double ARs => Stats[9];
    /// <summary>AR for medium objects.</summary>
    public double ARm => Stats[10];
    /// <summary>AR for large objects.</summary>
    public double ARl => Stats[11];

    /// <summary>The 12 lines joined by newlines, as pycocotools prints them.</summary>
    public override string ToString() => string.Join('\n', Lines);

    /// <summary>
    /// <c>{"AP": .., "AP50": .., ..., "ARl": .., "per_category_AP": {"&lt;category id&gt;": .., ...}}</c>,
    /// plus <c>"per_category_name"</c> (id to name) when <paramref name="categoryName"/> is given.
    /// </summary>
    public JsonObject ToJson(Func<long, string?>? categoryName = null)
    {
        var o = new JsonObject();
        for (int i = 0; i < Stats.Length; i++) o[StatNames[i]] = Stats[i];
        var per = new JsonObject();
        foreach (var (id, ap) in PerCategoryAP) per[id.ToString(CultureInfo.InvariantCulture)] = ap;
        o["per_category_AP"] = per;
        if (categoryName != null)
        {
            var names = new JsonObject();
            foreach (var id in PerCategoryAP.Keys) names[id.ToString(CultureInfo.InvariantCulture)] = categoryName(id);
            o["per_category_name"] = names;
        }
        return o;
    }
}
