using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Per-class PR and F1 curves read from COCOeval's arrays for a hand-made evaluation.</summary>
public class PrecisionRecallCurveTests
{
    [Fact]
    public void CurvesFollowTheRankedDetections()
    {
        var gt = new CocoGroundTruth(
            [new CocoImage(1)],
            [new CocoCategory(1), new CocoCategory(2), new CocoCategory(3)],
            [
                new CocoAnnotation(1, 1, 1, new CocoBox(0, 0, 10, 10), 100, false),
                new CocoAnnotation(2, 1, 1, new CocoBox(50, 50, 10, 10), 100, false),
                new CocoAnnotation(3, 1, 2, new CocoBox(20, 20, 10, 10), 100, false),
            ]);
        // category 1: a hit (0.9), a miss (0.8), a hit (0.7): precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1;
        // category 2: its ground truth never detected; category 3: no ground truth
        var stats = CocoEvaluator.Run(gt, new CocoDetection[]
        {
            new(1, 1, new CocoBox(0, 0, 10, 10), 0.9),
            new(1, 1, new CocoBox(80, 80, 10, 10), 0.8),
            new(1, 1, new CocoBox(50, 50, 10, 10), 0.7),
            new(1, 3, new CocoBox(30, 30, 10, 10), 0.6),
        });
        var curves = PrecisionRecallCurves.At(stats.Accumulation, 0.5);
        Assert.Equal([1L, 2L], curves.Select(c => c.CategoryId));

        var c1 = curves[0];
        Assert.Equal(101, c1.Recall.Length);
        for (int r = 0; r <= 100; r++)
        {
            // interpolated precision: the best precision at this recall or beyond
            Assert.Equal(r <= 50 ? 1.0 : 2.0 / 3, c1.Precision[r], 12);
            Assert.Equal(r <= 50 ? 0.9 : 0.7, c1.Confidence[r], 12);
        }
        Assert.Equal((51 * 1.0 + 50 * 2.0 / 3) / 101, c1.AP, 12);
        Assert.Equal(2 * 0.5 / 1.5, c1.F1[50], 12);
        Assert.Equal(0.8, c1.F1[100], 12);
        Assert.Equal(0, c1.F1[0]); // recall 0

        Assert.All(curves[1].Precision, p => Assert.Equal(0, p));
        Assert.Equal(0, curves[1].AP);
        // the COCO summary reads the same arrays: AP50 is the mean of the curves' AP
        Assert.Equal(stats.AP50, curves.Average(c => c.AP), 12);
        Assert.Throws<ArgumentException>(() => PrecisionRecallCurves.At(stats.Accumulation, 0.42));
    }
}
