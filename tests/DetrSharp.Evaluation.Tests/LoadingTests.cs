using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Reading ground-truth and results files: what loads, and the errors that name input and record.</summary>
public class LoadingTests
{
    const string Gt = """
        {"images": [{"id": 1, "width": 100, "height": 80, "file_name": "a.jpg"}, {"id": 2}],
         "categories": [{"id": 3, "name": "cat"}, {"id": 1, "name": "dog"}],
         "annotations": [
           {"id": 7, "image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 10], "area": 90, "iscrowd": 0},
           {"id": 8, "image_id": 2, "category_id": 1, "bbox": [5, 5, 20, 10], "area": 200.5}]}
        """;

    const string Results = """
        [{"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 10], "score": 0.9, "area": 12345},
         {"image_id": 2, "category_id": 1, "bbox": [5, 5, 20, 8], "score": 0.4}]
        """;

    [Fact]
    public void LoadsGroundTruthAndResultsFiles()
    {
        using var dir = new TempDir();
        var gt = CocoGroundTruth.Load(dir.Write("gt.json", Gt));
        Assert.Equal([1L, 2L], gt.ImageIds);
        Assert.Equal([1L, 3L], gt.CategoryIds);
        Assert.Equal("cat", gt.CategoryName(3));
        Assert.Equal(new CocoAnnotation(8, 2, 1, new CocoBox(5, 5, 20, 10), 200.5, false), gt.Annotations[1]);
        var dt = CocoDetections.Load(dir.Write("res.json", Results), gt);
        Assert.Equal(2, dt.Count);
        Assert.Equal(160, dt.Items[1].Box.Area);   // loadRes: area = w * h, a given area is ignored
    }

    [Fact]
    public void MissingFilesNameThePath()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "nope.json");
        var e = Assert.Throws<FileNotFoundException>(() => CocoGroundTruth.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("ground-truth", e.Message);
        var gt = CocoGroundTruth.Parse(Gt);
        var r = Assert.Throws<FileNotFoundException>(() => CocoDetections.Load(missing, gt));
        Assert.Contains(missing, r.Message);
        Assert.Contains("detection-results", r.Message);
    }

    [Fact]
    public void MalformedJsonNamesFileAndLine()
    {
        using var dir = new TempDir();
        string path = dir.Write("bad.json", "{\"images\": [\n  {\"id\": 1},\n  {\"id\": \n");
        var e = Assert.Throws<CocoDataException>(() => CocoGroundTruth.Load(path));
        Assert.Equal(path, e.Input);
        Assert.Contains("malformed JSON at line", e.Message);
        Assert.StartsWith(path + ":", e.Message);
    }

    [Theory]
    [InlineData("""{"id": 9, "image_id": 1, "category_id": 3, "area": 4}""", "annotations[1] (id 9)", "missing 'bbox'")]
    [InlineData("""{"id": 9, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3], "area": 4}""", "annotations[1] (id 9)", "array of 4 numbers")]
    [InlineData("""{"id": 9, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, "x"], "area": 4}""", "annotations[1] (id 9)", "array of 4 numbers")]
    [InlineData("""{"id": 9, "image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]}""", "annotations[1] (id 9)", "missing 'area'")]
    [InlineData("""{"id": 9, "image_id": "one", "category_id": 3, "bbox": [1, 2, 3, 4], "area": 4}""", "annotations[1] (id 9)", "'image_id' must be an integer id")]
    [InlineData("""{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 4}""", "annotations[1]", "missing 'id'")]
    [InlineData("""[1, 2]""", "annotations[1]", "expected a JSON object")]
    public void MalformedAnnotationIsNamed(string annotation, string record, string problem)
    {
        string json = $$"""
            {"images": [{"id": 1}], "categories": [{"id": 3}], "annotations": [
              {"id": 8, "image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "area": 1}, {{annotation}}]}
            """;
        var e = Assert.Throws<CocoDataException>(() => CocoGroundTruth.Parse(json, "gt.json"));
        Assert.Equal(record, e.Record);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"gt.json: {record}: ", e.Message);
    }

    [Fact]
    public void GroundTruthMustBeAnObjectWithArrays()
    {
        Assert.Contains("must be a JSON object", Assert.Throws<CocoDataException>(() => CocoGroundTruth.Parse("[]", "g")).Message);
        var e = Assert.Throws<CocoDataException>(() => CocoGroundTruth.Parse("""{"images": {"id": 1}}""", "g"));
        Assert.Equal("images", e.Record);
        Assert.Contains("must be an array", e.Message);
    }

    [Fact]
    public void ListsAreOptionalAndIscrowdDefaultsToZero()
    {
        var gt = CocoGroundTruth.Parse("""{"annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": true}]}""");
        Assert.Empty(gt.Images);
        Assert.True(gt.Annotations[0].IsCrowd);
        var plain = CocoGroundTruth.Parse("""{"images": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1}]}""");
        Assert.False(plain.Annotations[0].IsCrowd);
    }

    [Theory]
    [InlineData("""{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1]}""", "detections[1]", "missing 'score'")]
    [InlineData("""{"image_id": 1, "category_id": 3, "score": 0.5}""", "detections[1]", "missing 'bbox'")]
    [InlineData("""{"image_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}""", "detections[1]", "missing 'category_id'")]
    [InlineData("""{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": "high"}""", "detections[1]", "'score' must be a number")]
    [InlineData("""{"image_id": 42, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 0.5}""", "detections[1]", "image_id 42 is not an image of the ground truth")]
    public void MalformedDetectionIsNamed(string detection, string record, string problem)
    {
        var gt = CocoGroundTruth.Parse(Gt);
        string json = $$"""[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1], "score": 0.1}, {{detection}}]""";
        var e = Assert.Throws<CocoDataException>(() => CocoDetections.Parse(json, gt, "res.json"));
        Assert.Equal(record, e.Record);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith("res.json: ", e.Message);
    }

    [Fact]
    public void ResultsMustBeANonEmptyArray()
    {
        var gt = CocoGroundTruth.Parse(Gt);
        Assert.Contains("must be a JSON array", Assert.Throws<CocoDataException>(() => CocoDetections.Parse("{}", gt)).Message);
        Assert.Contains("empty", Assert.Throws<CocoDataException>(() => CocoDetections.Parse("[]", gt)).Message);
        Assert.Contains("empty", Assert.Throws<CocoDataException>(() => CocoDetections.FromList([], gt)).Message);
    }

    [Fact]
    public void UnknownImageIsReportedBeforeEmptiness()
    {
        var gt = CocoGroundTruth.Parse(Gt);
        var e = Assert.Throws<CocoDataException>(() =>
            CocoDetections.FromList([new CocoDetection(5, 3, new CocoBox(0, 0, 1, 1), 1)], gt));
        Assert.Contains("results do not correspond", e.Message);
    }

    [Fact]
    public void FilesAndMemoryGiveTheSameNumbers()
    {
        using var dir = new TempDir();
        var gtFile = CocoGroundTruth.Load(dir.Write("gt.json", Gt));
        var fromFiles = CocoEvaluator.Run(gtFile, CocoDetections.Load(dir.Write("res.json", Results), gtFile));

        var gt = new CocoGroundTruth(
            [new CocoImage(1), new CocoImage(2)],
            [new CocoCategory(3), new CocoCategory(1)],
            [new CocoAnnotation(7, 1, 3, new CocoBox(0, 0, 10, 10), 90, false), new CocoAnnotation(8, 2, 1, new CocoBox(5, 5, 20, 10), 200.5, false)]);
        var inMemory = CocoEvaluator.Run(gt, [
            new CocoDetection(1, 3, new CocoBox(0, 0, 10, 10), 0.9),
            new CocoDetection(2, 1, new CocoBox(5, 5, 20, 8), 0.4)]);
        Assert.Equal(fromFiles.Stats, inMemory.Stats);
        Assert.Equal(fromFiles.PerCategoryAP, inMemory.PerCategoryAP);
    }
}
