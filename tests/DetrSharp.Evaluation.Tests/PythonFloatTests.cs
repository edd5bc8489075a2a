using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Results written by Python's json (json.dump of a float NaN or inf) load and evaluate, as in pycocotools.</summary>
public class PythonFloatTests
{
    const string Gt = """
        {"images": [{"id": 1, "width": 100, "height": 80, "file_name": "NaN.jpg"}],
         "categories": [{"id": 3, "name": "Infinity"}],
         "annotations": [{"id": 7, "image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
        """;

    const string Results = """
        [{"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 10], "score": 0.9},
         {"image_id": 1, "category_id": 3, "bbox": [NaN, 0, 10, Infinity], "score": NaN},
         {"image_id": 1, "category_id": 3, "bbox": [1, 1, 10, 10], "score": -Infinity}]
        """;

    [Fact]
    public void NaNAndInfinityAsPythonWritesThemAreRead()
    {
        var gt = CocoGroundTruth.Parse(Gt);
        Assert.Equal("Infinity", gt.CategoryName(3));
        var dt = CocoDetections.Parse(Results, gt);
        Assert.Equal(3, dt.Count);
        Assert.True(double.IsNaN(dt.Items[1].Score));
        Assert.True(double.IsNaN(dt.Items[1].Box.X));
        Assert.True(double.IsPositiveInfinity(dt.Items[1].Box.Height));
        Assert.True(double.IsNegativeInfinity(dt.Items[2].Score));
        var stats = CocoEvaluator.Run(gt, dt);
        Assert.Equal(12, stats.Stats.Length);
        Assert.All(stats.Stats, s => Assert.True(s == -1 || (s >= 0 && s <= 1), $"stat {s}"));
    }

    [Fact]
    public void WordsInsideStringsAndOtherBadJsonStayErrors()
    {
        var gt = CocoGroundTruth.Parse(Gt);
        Assert.Throws<CocoDataException>(() => CocoDetections.Parse("""[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": NaNa}]""", gt));
        var e = Assert.Throws<CocoDataException>(() => CocoDetections.Parse("""[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": "NaN"}]""", gt));
        Assert.Contains("'score' must be a number", e.Message);
    }
}
