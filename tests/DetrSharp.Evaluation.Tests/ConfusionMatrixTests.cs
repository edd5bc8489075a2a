using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Ultralytics' confusion matrix on hand-made images whose counts are worked out by hand.</summary>
public class ConfusionMatrixTests
{
    static ClassBox Box(double x, double y, int cls, double score = 1) => new(new CocoBox(x, y, 10, 10), cls, score);

    [Fact]
    public void CountsMatchesConfusionsMissesAndFalseDetections()
    {
        var m = new ConfusionMatrix(classes: 2, confidence: 0.25, iouThreshold: 0.5);
        const int bg = 2;
        // image A: g0 found; g1 found as the wrong class; d2 overlaps g0 less than d0 does (a false detection);
        // d3 scores below the confidence; g2 missed
        m.Add([Box(0, 0, 0, 0.9), Box(21, 21, 0, 0.8), Box(1, 0, 1, 0.7), Box(80, 80, 1, 0.2)],
              [Box(0, 0, 0), Box(20, 20, 1), Box(50, 50, 0)]);
        // image B: no ground truth, one detection (a score equal to the confidence does not count)
        m.Add([Box(5, 5, 1, 0.5), Box(40, 40, 0, 0.25)], []);
        // image C: one ground truth, no detection
        m.Add([], [Box(5, 5, 1)]);
        // image D: one detection over two ground truths matches the one it overlaps most (IoU 0.90 vs 0.74)
        m.Add([Box(1.5, 0, 1, 0.6)], [Box(0, 0, 0), Box(2, 0, 1)]);

        var expected = new long[3, 3];
        expected[0, 0] = 1;  // correct
        expected[0, 1] = 1;  // true 1 predicted as 0
        expected[1, 1] = 1;  // image D
        expected[1, bg] = 2; // false detections (A's d2, B's)
        expected[bg, 0] = 2; // missed: A's g2, D's first
        expected[bg, 1] = 1; // missed: C's
        Assert.Equal(expected, m.Counts);

        var n = m.Normalized();
        Assert.Equal(1.0 / 3, n[0, 0], 12);
        Assert.Equal(2.0 / 3, n[bg, 0], 12);
        Assert.Equal(1.0 / 3, n[0, 1], 12);
        Assert.Equal(1.0, n[1, bg], 12);
        for (int t = 0; t < 3; t++) Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(p => n[p, t]), 12);
    }

    [Fact]
    public void AClassOutsideTheMatrixIsRefused()
    {
        var m = new ConfusionMatrix(2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Add([Box(0, 0, 2, 0.9)], []));
        Assert.Contains("class index 2 is outside 0..1", e.Message);
    }
}
