using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Corners the fixtures do not reach: empty selections, repeated ids, NaN scores, long cells.</summary>
public class EdgeCaseTests
{
    static readonly CocoGroundTruth Gt = new(
        [new CocoImage(1), new CocoImage(2)],
        [new CocoCategory(1), new CocoCategory(2)],
        [
            new CocoAnnotation(1, 1, 1, new CocoBox(0, 0, 10, 10), 100, false),
            new CocoAnnotation(2, 2, 2, new CocoBox(20, 20, 10, 10), 100, false),
        ]);

    static readonly CocoDetection[] Dets =
    [
        new(1, 1, new CocoBox(0, 0, 10, 10), 0.9),
        new(2, 2, new CocoBox(20, 20, 10, 10), 0.8),
    ];

    [Fact]
    public void EmptySelectionsGiveMinusOneEverywhere()
    {
        foreach (var p in new[] { new CocoEvalParams { CatIds = [] }, new CocoEvalParams { ImgIds = [] }, new CocoEvalParams { ImgIds = [77] } })
        {
            var s = CocoEvaluator.Run(Gt, Dets, p);
            Assert.All(s.Stats, v => Assert.Equal(-1, v));
            Assert.All(s.PerCategoryAP.Values, v => Assert.Equal(-1, v));
        }
    }

    [Fact]
    public void PerfectDetectionsScoreOne()
    {
        var s = CocoEvaluator.Run(Gt, Dets);
        const double one = 1 / (1 + 2.220446049250313e-16);   // tp / (tp + fp + eps)
        Assert.Equal(one, s.AP);
        Assert.Equal(1.0, s.AR100);
        Assert.Equal(-1, s.APm);   // both objects are small
        Assert.Equal(new Dictionary<long, double> { [1] = one, [2] = one }, s.PerCategoryAP);
    }

    [Fact]
    public void CategoryAgnosticMatchingIgnoresLabels()
    {
        CocoDetection[] swapped = [Dets[0] with { CategoryId = 2 }, Dets[1] with { CategoryId = 1 }];
        Assert.Equal(0.0, CocoEvaluator.Run(Gt, swapped).AP50);
        var s = CocoEvaluator.Run(Gt, swapped, new CocoEvalParams { UseCats = false });
        Assert.Equal(1.0, s.AP, 12);
        Assert.Equal([-1L], s.PerCategoryAP.Keys);
    }

    [Fact]
    public void RepeatedAnnotationIdResolvesToTheLastAsInPycocotools()
    {
        // COCO.loadAnns looks ids up in a dict: both entries of id 5 become the second annotation
        var gt = new CocoGroundTruth(
            [new CocoImage(1), new CocoImage(2)], [new CocoCategory(1)],
            [
                new CocoAnnotation(5, 1, 1, new CocoBox(0, 0, 10, 10), 100, false),
                new CocoAnnotation(5, 2, 1, new CocoBox(50, 50, 10, 10), 100, false),
            ]);
        var ev = new CocoEvaluator(gt, CocoDetections.FromList([new CocoDetection(1, 1, new CocoBox(0, 0, 10, 10), 0.9)], gt));
        Assert.Empty(ev.EvaluateImage(1, 1, 0)!.GtIds);
        Assert.Equal([5L, 5L], ev.EvaluateImage(2, 1, 0)!.GtIds);
    }

    [Fact]
    public void NaNScoresRankLast()
    {
        var gt = Gt;
        var dt = CocoDetections.FromList(
        [
            new CocoDetection(1, 1, new CocoBox(0, 0, 10, 10), double.NaN),
            new CocoDetection(1, 1, new CocoBox(0, 0, 9, 9), 0.1),
            new CocoDetection(1, 1, new CocoBox(0, 0, 8, 8), double.NegativeInfinity),
            new CocoDetection(1, 1, new CocoBox(0, 0, 7, 7), 0.1),
        ], gt);
        var e = new CocoEvaluator(gt, dt).EvaluateImage(1, 1, 0)!;
        Assert.Equal([2L, 4L, 3L, 1L], e.DtIds);
    }

    [Fact]
    public void LongCellsSortStablyAndCutAtMaxDets()
    {
        // 40 detections with 4 distinct scores on one image: ties keep input order; only 100 would be kept
        var dets = Enumerable.Range(0, 40).Select(i => new CocoDetection(1, 1, new CocoBox(i, 0, 10, 10), (i % 4) * 0.25)).ToList();
        var dt = CocoDetections.FromList(dets, Gt);
        var e = new CocoEvaluator(Gt, dt, new CocoEvalParams { MaxDets = [1, 10, 30] }).EvaluateImage(1, 1, 0)!;
        Assert.Equal(30, e.DtIds.Length);
        var expected = Enumerable.Range(0, 40).OrderBy(i => -((i % 4) * 0.25)).Take(30).Select(i => i + 1L);
        Assert.Equal(expected, e.DtIds);
    }
}
