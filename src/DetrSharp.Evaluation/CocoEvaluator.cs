namespace DetrSharp.Evaluation;

/// <summary>
/// pycocotools' <c>COCOeval</c> for boxes: <see cref="Evaluate"/> matches detections to gts per image and
/// category, <see cref="Accumulate"/> builds the precision/recall arrays, <see cref="Summarize"/> reads the
/// 12 stats; the numbers equal pycocotools'. Matching runs in parallel over cells with at most
/// <see cref="MaxDegreeOfParallelism"/> workers.
/// </summary>
/// <example><code>
/// var gt = CocoGroundTruth.Load("instances_val2017.json");
/// var dt = CocoDetections.Load("results.json", gt);
/// var ev = new CocoEvaluator(gt, dt);
/// ev.Evaluate(); ev.Accumulate();
/// Console.WriteLine(ev.Summarize());
/// </code></example>
public sealed class CocoEvaluator
{
    readonly CocoGroundTruth gt;
    readonly CocoDetections dt;
    EvalUnits? units;
    CellMatcher? matcher;
    EvaluationTable? table;
    CocoAccumulation? accumulation;

    /// <summary>Prepares an evaluation; parameters default to pycocotools' bbox defaults.</summary>
    /// <exception cref="NotSupportedException">An iouType other than bbox.</exception>
    /// <exception cref="ArgumentException">Invalid parameters (see <see cref="CocoEvalParams.Normalized"/>).</exception>
    public CocoEvaluator(CocoGroundTruth groundTruth, CocoDetections detections, CocoEvalParams? parameters = null)
    {
        gt = groundTruth ?? throw new ArgumentNullException(nameof(groundTruth));
        dt = detections ?? throw new ArgumentNullException(nameof(detections));
        Params = (parameters ?? new CocoEvalParams()).Normalized(groundTruth);
    }

    /// <summary>The parameters as evaluation uses them: ids sorted (and unique), maxDets sorted.</summary>
    public CocoEvalParams Params { get; }

    /// <summary>The most worker threads used; default the core count.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>The arrays of the last <see cref="Accumulate"/>, or null.</summary>
    public CocoAccumulation? Accumulation => accumulation;

    /// <summary>Matches every (image, category) cell for every area range and IoU threshold.</summary>
    public void Evaluate()
    {
        units = EvalUnits.Build(gt, dt, Params);
        matcher = new CellMatcher(units, gt.AnnotationArray, dt.Array, Params.IouThrs, Params.MaxDets[^1]);
        table = EvaluationTable.Build(units, matcher, Params.AreaRng, MaxDegreeOfParallelism);
        accumulation = null;
    }

    /// <summary>Builds precision [T, R, K, A, M], recall [T, K, A, M] and scores from the evaluation.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Evaluate"/> has not run.</exception>
    public CocoAccumulation Accumulate()
    {
        if (table == null || units == null)
            throw new InvalidOperationException("CocoEvaluator.Accumulate: call Evaluate() first");
        accumulation = Accumulator.Run(table, units, Params, MaxDegreeOfParallelism);
        return accumulation;
    }

    /// <summary>The 12 bbox stats, their printed lines and per-category AP.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Accumulate"/> has not run, or fewer than 3 maxDets.</exception>
    public CocoStats Summarize()
    {
        if (accumulation == null)
            throw new InvalidOperationException("CocoEvaluator.Summarize: call Accumulate() first");
        return CocoSummarizer.Run(accumulation);
    }

    /// <summary>Evaluate, accumulate and summarize in one call.</summary>
    public static CocoStats Run(CocoGroundTruth groundTruth, CocoDetections detections,
        CocoEvalParams? parameters = null, int maxDegreeOfParallelism = 0)
    {
        var ev = new CocoEvaluator(groundTruth, detections, parameters);
        if (maxDegreeOfParallelism > 0) ev.MaxDegreeOfParallelism = maxDegreeOfParallelism;
        ev.Evaluate();
        ev.Accumulate();
        return ev.Summarize();
    }

    /// <summary>
    /// The in-memory entry: evaluates a list of detections (e.g. a model's predictions on a validation
    /// set) against a ground truth without files, checked as <c>loadRes</c> checks a results file.
    /// </summary>
    /// <exception cref="CocoDataException">An empty list, or a detection on an image the ground truth lacks.</exception>
    public static CocoStats Run(CocoGroundTruth groundTruth, IEnumerable<CocoDetection> detections,
        CocoEvalParams? parameters = null, int maxDegreeOfParallelism = 0)
        => Run(groundTruth, CocoDetections.FromList(detections, groundTruth), parameters, maxDegreeOfParallelism);

    /// <summary>
    /// pycocotools' <c>evalImgs</c> list in its order (category, then area range, then image), with null
    /// where a cell has neither gts nor detections. Recomputed on demand: meant for inspection and tests.
    /// </summary>
    public IReadOnlyList<CocoImageEvaluation?> EvalImgs()
    {
        var (u, m) = Prepared();
        var list = new List<CocoImageEvaluation?>();
        var s = new MatchScratch();
        int nI = u.ImageCount;
        for (int k = 0; k < u.CategoryCount; k++)
            for (int a = 0; a < Params.AreaRng.Length; a++)
                for (int i = 0; i < nI; i++)
                    list.Add(Detail(u, m, k * nI + i, a, s));
        return list;
    }

    /// <summary>One <c>evalImgs</c> entry, or null when the cell has neither gts nor detections.</summary>
    /// <param name="imageId">An evaluated image id.</param>
    /// <param name="categoryId">An evaluated category id, or −1 when useCats = 0.</param>
    /// <param name="areaIndex">Index into <see cref="CocoEvalParams.AreaRng"/>.</param>
    /// <exception cref="ArgumentException">The image or category is not evaluated, or the area index is out of range.</exception>
    public CocoImageEvaluation? EvaluateImage(long imageId, long categoryId, int areaIndex)
    {
        var (u, m) = Prepared();
        if ((uint)areaIndex >= (uint)Params.AreaRng.Length)
            throw new ArgumentOutOfRangeException(nameof(areaIndex), $"area index {areaIndex} outside 0..{Params.AreaRng.Length - 1}");
        return Detail(u, m, Unit(u, imageId, categoryId), areaIndex, new MatchScratch());
    }

    /// <summary>
    /// pycocotools' <c>ious[(imageId, categoryId)]</c>: rows are the detections by descending score (cut at
    /// maxDets[-1]), columns the gts in load order; 0 x 0 when the cell has no gt or no detection.
    /// </summary>
    /// <returns>IoU matrix. // [D, G]</returns>
    public double[,] ComputeIou(long imageId, long categoryId)
    {
        var (u, m) = Prepared();
        var s = new MatchScratch();
        m.Load(Unit(u, imageId, categoryId), s);
        if (s.D == 0 || s.G == 0) return new double[0, 0];
        var iou = new double[s.D, s.G];
        for (int d = 0; d < s.D; d++)
            for (int g = 0; g < s.G; g++) iou[d, g] = s.Iou[d * s.G + g];
        return iou;
    }

    (EvalUnits, CellMatcher) Prepared()
    {
        if (units == null || matcher == null)
        {
            units = EvalUnits.Build(gt, dt, Params);
            matcher = new CellMatcher(units, gt.AnnotationArray, dt.Array, Params.IouThrs, Params.MaxDets[^1]);
        }
        return (units, matcher);
    }

    int Unit(EvalUnits u, long imageId, long categoryId)
    {
        int i = Array.BinarySearch(u.ImgIds, imageId);
        if (i < 0) throw new ArgumentException($"image {imageId} is not among the evaluated image ids", nameof(imageId));
        int k = Params.UseCats ? Array.BinarySearch(u.UnitCatIds, categoryId) : (categoryId == -1 ? 0 : -1);
        if (k < 0)
            throw new ArgumentException(Params.UseCats
                ? $"category {categoryId} is not among the evaluated category ids"
                : $"with useCats = 0 the only category is -1, not {categoryId}", nameof(categoryId));
        return k * u.ImageCount + i;
    }

    CocoImageEvaluation? Detail(EvalUnits u, CellMatcher m, int unit, int area, MatchScratch s)
    {
        if (!u.Present(unit)) return null;
        m.Load(unit, s);
        var range = Params.AreaRng[area];
        m.Match(s, range);
        int T = Params.IouThrs.Length, D = s.D, G = s.G;
        var anns = gt.AnnotationArray;
        var e = new CocoImageEvaluation
        {
            ImageId = u.ImgIds[unit % u.ImageCount],
            CategoryId = u.UnitCatIds[unit / u.ImageCount],
            AreaRange = range,
            MaxDet = Params.MaxDets[^1],
            DtIds = new long[D],
            GtIds = new long[G],
            DtMatches = new long[T, D],
            GtMatches = new long[T, G],
            DtScores = new double[D],
            GtIgnore = new bool[G],
            DtIgnore = new bool[T, D],
        };
        for (int d = 0; d < D; d++)
        {
            e.DtIds[d] = s.Dt[d] + 1L;
            e.DtScores[d] = dt.Array[s.Dt[d]].Score;
        }
        for (int k = 0; k < G; k++)
        {
            e.GtIds[k] = anns[s.Gt[s.GtOrder[k]]].Id;
            e.GtIgnore[k] = s.GtIg[k];
        }
        for (int t = 0; t < T; t++)
        {
            for (int d = 0; d < D; d++)
            {
                e.DtMatches[t, d] = s.DtMatch[t * D + d];
                e.DtIgnore[t, d] = s.DtIg[t * D + d];
            }
            for (int k = 0; k < G; k++) e.GtMatches[t, k] = s.GtMatch[t * G + k];
        }
        return e;
    }
}
