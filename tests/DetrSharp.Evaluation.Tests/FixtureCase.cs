using System.Text.Json;
using DetrSharp.TestSupport;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Builds the inputs of a coco_eval fixture: ground truth, detections and params.</summary>
internal static class FixtureCase
{
    public static CocoGroundTruth GroundTruth(Fixture f)
        => CocoGroundTruth.Parse(f.Inputs.GetProperty("ground_truth"), f.Name + ":ground_truth");

    public static CocoDetections Detections(Fixture f, CocoGroundTruth gt)
        => CocoDetections.Parse(f.Inputs.GetProperty("detections"), gt, f.Name + ":detections");

    public static CocoEvalParams Params(Fixture f)
    {
        var p = f.Params;
        var result = new CocoEvalParams();
        if (p.ValueKind != JsonValueKind.Object) return result;
        if (p.TryGetProperty("iouType", out var it)) result = With(result, iouType: it.GetString());
        if (p.TryGetProperty("maxDets", out var md)) result = With(result, maxDets: md.EnumerateArray().Select(x => x.GetInt32()).ToArray());
        if (p.TryGetProperty("areaRng", out var ar))
            result = With(result, areaRng: ar.EnumerateArray().Select(r =>
            {
                var v = r.EnumerateArray().Select(FixtureTensor.Number).ToArray();
                return new CocoAreaRange(v[0], v[1]);
            }).ToArray());
        if (p.TryGetProperty("areaRngLbl", out var al)) result = With(result, areaRngLbl: al.EnumerateArray().Select(x => x.GetString()!).ToArray());
        if (p.TryGetProperty("useCats", out var uc)) result = With(result, useCats: FixtureTensor.Number(uc) != 0);
        if (p.TryGetProperty("imgIds", out var ii)) result = With(result, imgIds: ii.EnumerateArray().Select(x => x.GetInt64()).ToArray());
        if (p.TryGetProperty("catIds", out var ci)) result = With(result, catIds: ci.EnumerateArray().Select(x => x.GetInt64()).ToArray());
        if (p.TryGetProperty("iouThrs", out var th)) result = With(result, iouThrs: th.EnumerateArray().Select(FixtureTensor.Number).ToArray());
        if (p.TryGetProperty("recThrs", out var rt)) result = With(result, recThrs: rt.EnumerateArray().Select(FixtureTensor.Number).ToArray());
        return result;
    }

    static CocoEvalParams With(CocoEvalParams p, string? iouType = null, int[]? maxDets = null, CocoAreaRange[]? areaRng = null,
        string[]? areaRngLbl = null, bool? useCats = null, long[]? imgIds = null, long[]? catIds = null,
        double[]? iouThrs = null, double[]? recThrs = null) => new()
    {
        IouType = iouType ?? p.IouType,
        MaxDets = maxDets ?? p.MaxDets,
        AreaRng = areaRng ?? p.AreaRng,
        AreaRngLbl = areaRngLbl ?? p.AreaRngLbl,
        UseCats = useCats ?? p.UseCats,
        ImgIds = imgIds ?? p.ImgIds,
        CatIds = catIds ?? p.CatIds,
        IouThrs = iouThrs ?? p.IouThrs,
        RecThrs = recThrs ?? p.RecThrs,
    };

    /// <summary>A multi-dimensional array's values in row-major order.</summary>
    public static double[] Flat(Array a)
    {
        var list = new double[a.Length];
        int i = 0;
        foreach (var v in a) list[i++] = Convert.ToDouble(v);
        return list;
    }

    public static long[] Shape(Array a) => Enumerable.Range(0, a.Rank).Select(d => (long)a.GetLength(d)).ToArray();
}
