using System.Text.Json;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Every coco_eval fixture (pycocotools' own numbers), including the error cases.</summary>
public class CocoEvalFixtureTests
{
    public static IEnumerable<object[]> Cases => Fixtures.Names("cocoeval", "coco_eval");

    [Fact]
    public void FixturesArePresent() => Assert.NotEmpty(Cases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPycocotools(string name)
    {
        var f = Fixtures.Get("cocoeval", name, "coco_eval");
        var expected = f.Expected;
        if (expected.TryGetProperty("error", out var error))
        {
            AssertRaises(f, error.GetString()!);
            return;
        }

        var gt = FixtureCase.GroundTruth(f);
        var dt = FixtureCase.Detections(f, gt);
        var ev = new CocoEvaluator(gt, dt, FixtureCase.Params(f)) { MaxDegreeOfParallelism = 2 };
        ev.Evaluate();
        ev.Accumulate();
        var stats = ev.Summarize();
        double atol = f.Atol, rtol = f.Rtol;

        Close.All($"{name} stats", Numbers(expected.GetProperty("stats")), stats.Stats, atol, rtol);

        if (expected.TryGetProperty("img_ids", out var imgIds))
            Assert.Equal(imgIds.EnumerateArray().Select(x => x.GetInt64()), ev.Params.ImgIds!);
        if (expected.TryGetProperty("cat_ids", out var catIds))
            Assert.Equal(catIds.EnumerateArray().Select(x => x.GetInt64()), stats.Accumulation.CategoryIds);
        if (expected.TryGetProperty("precision_shape", out var shape))
            Assert.Equal(shape.EnumerateArray().Select(x => x.GetInt64()), FixtureCase.Shape(stats.Precision));

        if (expected.TryGetProperty("per_category_ap", out var perCat))
        {
            Assert.Equal(perCat.EnumerateObject().Count(), stats.PerCategoryAP.Count);
            foreach (var kv in perCat.EnumerateObject())
            {
                long id = long.Parse(kv.Name, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(stats.PerCategoryAP.ContainsKey(id), $"{name}: no per-category AP for {id}");
                Close.All($"{name} per_category_ap[{id}]", [FixtureTensor.Number(kv.Value)], [stats.PerCategoryAP[id]], atol, rtol);
            }
        }

        if (expected.TryGetProperty("recall", out var recall))
            CheckTensor($"{name} recall", recall, stats.Recall, atol, rtol);
        if (expected.TryGetProperty("precision", out var precision))
            CheckTensor($"{name} precision", precision, stats.Precision, atol, rtol);
        if (expected.TryGetProperty("precision_mean_over_recall", out var meanPr))
            CheckTensor($"{name} precision_mean_over_recall", meanPr, MeanOverRecall(stats.Precision), atol, rtol);
        if (expected.TryGetProperty("eval_imgs", out var evalImgs))
            CheckEvalImgs(name, evalImgs, ev.EvalImgs(), atol);
        if (expected.TryGetProperty("ious", out var ious))
            CheckIous(name, ious, ev, atol);
    }

    static void AssertRaises(Fixture f, string error)
    {
        var gt = FixtureCase.GroundTruth(f);
        var e = Assert.Throws<CocoDataException>(() =>
        {
            var dt = FixtureCase.Detections(f, gt);
            CocoEvaluator.Run(gt, dt, FixtureCase.Params(f));
        });
        if (error.Contains("do not correspond", StringComparison.Ordinal))
            Assert.Contains("results do not correspond", e.Message, StringComparison.OrdinalIgnoreCase);
        else if (error.StartsWith("IndexError", StringComparison.Ordinal))
            Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        else
            Assert.Fail($"{f.Name}: no known meaning for the expected error '{error}'; got '{e.Message}'");
    }

    static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(FixtureTensor.Number).ToArray();

    static void CheckTensor(string what, JsonElement expected, Array actual, double atol, double rtol)
    {
        var t = FixtureTensor.Parse(expected);
        Assert.Equal(t.Shape, FixtureCase.Shape(actual));
        Close.All(what, t.Data, FixtureCase.Flat(actual), atol, rtol);
    }

    static double[,,,] MeanOverRecall(double[,,,,] p)
    {
        int T = p.GetLength(0), R = p.GetLength(1), K = p.GetLength(2), A = p.GetLength(3), M = p.GetLength(4);
        var mean = new double[T, K, A, M];
        for (int t = 0; t < T; t++)
            for (int k = 0; k < K; k++)
                for (int a = 0; a < A; a++)
                    for (int m = 0; m < M; m++)
                    {
                        double s = 0;
                        for (int r = 0; r < R; r++) s += p[t, r, k, a, m];
                        mean[t, k, a, m] = s / R;
                    }
        return mean;
    }

    static void CheckEvalImgs(string name, JsonElement expected, IReadOnlyList<CocoImageEvaluation?> actual, double atol)
    {
        Assert.Equal(expected.GetArrayLength(), actual.Count);
        int i = 0;
        foreach (var x in expected.EnumerateArray())
        {
            var a = actual[i];
            string at = $"{name} eval_imgs[{i++}]";
            if (x.ValueKind == JsonValueKind.Null)
            {
                Assert.True(a == null, $"{at}: expected None");
                continue;
            }
            Assert.True(a != null, $"{at}: expected an entry, got None");
            Assert.Equal(x.GetProperty("image_id").GetInt64(), a!.ImageId);
            Assert.Equal(x.GetProperty("category_id").GetInt64(), a.CategoryId);
            var rng = Numbers(x.GetProperty("aRng"));
            Assert.Equal(rng, new[] { a.AreaRange.Min, a.AreaRange.Max });
            Assert.Equal(x.GetProperty("maxDet").GetInt32(), a.MaxDet);
            Assert.Equal(x.GetProperty("dtIds").EnumerateArray().Select(v => v.GetInt64()), a.DtIds);
            Assert.Equal(x.GetProperty("gtIds").EnumerateArray().Select(v => v.GetInt64()), a.GtIds);
            Close.All($"{at} dtScores", Numbers(x.GetProperty("dtScores")), a.DtScores, atol, 0);
            Close.All($"{at} gtIgnore", Numbers(x.GetProperty("gtIgnore")), a.GtIgnore.Select(b => b ? 1.0 : 0.0).ToArray(), 0, 0);
            CheckMatrix($"{at} dtMatches", x.GetProperty("dtMatches"), a.DtMatches);
            CheckMatrix($"{at} gtMatches", x.GetProperty("gtMatches"), a.GtMatches);
            CheckMatrix($"{at} dtIgnore", x.GetProperty("dtIgnore"), a.DtIgnore);
        }
    }

    static void CheckMatrix(string what, JsonElement expected, Array actual)
    {
        var t = FixtureTensor.Parse(expected);
        var flat = FixtureCase.Flat(actual);
        // numpy writes an empty [T, 0] array's shape as it is; compare shapes only where there is data
        if (t.Data.Length > 0 || flat.Length > 0) Assert.Equal(t.Shape, FixtureCase.Shape(actual));
        Close.All(what, t.Data, flat, 0, 0);
    }

    static void CheckIous(string name, JsonElement expected, CocoEvaluator ev, double atol)
    {
        foreach (var x in expected.EnumerateArray())
        {
            long img = x.GetProperty("image_id").GetInt64(), cat = x.GetProperty("category_id").GetInt64();
            var iou = ev.ComputeIou(img, cat);
            var e = x.GetProperty("iou");
            string what = $"{name} ious[({img}, {cat})]";
            if (e.ValueKind == JsonValueKind.Array)
            {
                Assert.True(iou.Length == 0, $"{what}: expected [], got {iou.GetLength(0)}x{iou.GetLength(1)}");
                continue;
            }
            CheckTensor(what, e, iou, atol, 0);
        }
    }
}
