using System.Text.Json;
using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>Parameters, call order, the summary's text and JSON, and the box IoU.</summary>
public class EvaluatorApiTests
{
    static (CocoGroundTruth, CocoDetections) Hand()
    {
        var f = Fixtures.Get("cocoeval", "cocoeval/hand_2img_2cat.json", "coco_eval");
        var gt = FixtureCase.GroundTruth(f);
        return (gt, FixtureCase.Detections(f, gt));
    }

    [Fact]
    public void DefaultsAreTheFixturesExactValues()
    {
        var f = Fixtures.Get("cocoeval", "cocoeval/hand_2img_2cat.json", "coco_eval");
        var d = f.Params.GetProperty("defaults");
        var p = new CocoEvalParams();
        Assert.Equal(d.GetProperty("iouThrs").EnumerateArray().Select(x => x.GetDouble()), p.IouThrs);
        Assert.Equal(d.GetProperty("recThrs").EnumerateArray().Select(x => x.GetDouble()), p.RecThrs);
        Assert.Equal(0.8999999999999999, p.IouThrs[8]);
        Assert.Equal(0.35000000000000003, p.RecThrs[35]);
        Assert.Equal(d.GetProperty("maxDets").EnumerateArray().Select(x => x.GetInt32()), p.MaxDets);
        Assert.Equal(d.GetProperty("areaRng").EnumerateArray().Select(r => new CocoAreaRange(r[0].GetDouble(), r[1].GetDouble())), p.AreaRng);
        Assert.Equal(d.GetProperty("areaRngLbl").EnumerateArray().Select(x => x.GetString()), p.AreaRngLbl);
    }

    [Fact]
    public void NormalizationSortsLikeEvaluate()
    {
        var (gt, _) = Hand();
        var p = new CocoEvalParams { MaxDets = [100, 1, 10], ImgIds = [2, 1, 2], CatIds = [2, 1, 2] }.Normalized(gt);
        Assert.Equal([1, 10, 100], p.MaxDets);
        Assert.Equal([1L, 2L], p.ImgIds!);
        Assert.Equal([1L, 2L], p.CatIds!);
        var agnostic = new CocoEvalParams { UseCats = false, CatIds = [2, 1, 2] }.Normalized(gt);
        Assert.Equal([2L, 1L, 2L], agnostic.CatIds!);   // np.unique only runs when useCats
    }

    [Fact]
    public void InvalidParamsAreRejected()
    {
        var (gt, dt) = Hand();
        Assert.Throws<NotSupportedException>(() => new CocoEvaluator(gt, dt, new CocoEvalParams { IouType = "segm" }));
        Assert.Contains("AreaRngLbl", Assert.Throws<ArgumentException>(() =>
            new CocoEvaluator(gt, dt, new CocoEvalParams { AreaRngLbl = ["all"] })).Message);
        Assert.Contains("MaxDets", Assert.Throws<ArgumentException>(() =>
            new CocoEvaluator(gt, dt, new CocoEvalParams { MaxDets = [] })).Message);
        Assert.Contains("MaxDets", Assert.Throws<ArgumentException>(() =>
            new CocoEvaluator(gt, dt, new CocoEvalParams { MaxDets = [-1, 10, 100] })).Message);
    }

    [Fact]
    public void StepsMustRunInOrder()
    {
        var (gt, dt) = Hand();
        var ev = new CocoEvaluator(gt, dt);
        Assert.Throws<InvalidOperationException>(() => ev.Accumulate());
        ev.Evaluate();
        Assert.Throws<InvalidOperationException>(() => ev.Summarize());
        ev.Accumulate();
        Assert.Equal(12, ev.Summarize().Stats.Length);

        var two = new CocoEvaluator(gt, dt, new CocoEvalParams { MaxDets = [1, 10] });
        two.Evaluate();
        two.Accumulate();
        Assert.Contains("maxDets", Assert.Throws<InvalidOperationException>(() => two.Summarize()).Message);
    }

    [Fact]
    public void SummaryLinesArePycocotoolsFormat()
    {
        var (gt, dt) = Hand();
        var s = CocoEvaluator.Run(gt, dt);
        Assert.Equal(
        [
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.257",
            " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.721",
            " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.221",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.050",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.900",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.217",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.367",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.367",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.050",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.900",
        ], s.Lines);
        Assert.Equal(string.Join('\n', s.Lines), s.ToString());
    }

    [Fact]
    public void MissingMaxDets100PrintsMinusOne()
    {
        var (gt, dt) = Hand();
        var s = CocoEvaluator.Run(gt, dt, new CocoEvalParams { MaxDets = [1, 5, 20] });
        Assert.Equal(-1, s.AP);
        Assert.EndsWith("maxDets=100 ] = -1.000", s.Lines[0]);
        Assert.EndsWith("maxDets= 20 ] = " + PythonFormat.Fixed(s.AP50, 3), s.Lines[1]);
    }

    [Fact]
    public void JsonHasNamedStatsAndPerCategoryAP()
    {
        var (gt, dt) = Hand();
        var s = CocoEvaluator.Run(gt, dt);
        var o = JsonDocument.Parse(s.ToJson(gt.CategoryName).ToJsonString()).RootElement;
        for (int i = 0; i < 12; i++) Assert.Equal(s.Stats[i], o.GetProperty(CocoStats.StatNames[i]).GetDouble());
        Assert.Equal(s.AP, o.GetProperty("AP").GetDouble());
        Assert.Equal(s.ARl, o.GetProperty("ARl").GetDouble());
        Assert.Equal(0.41485148514851483, o.GetProperty("per_category_AP").GetProperty("1").GetDouble());
        Assert.Equal("dog", o.GetProperty("per_category_name").GetProperty("2").GetString());
    }

    [Theory]
    [InlineData(0.5625, 3, "0.562")]     // exact half: rounds to even, like Python
    [InlineData(0.0625, 3, "0.062")]
    [InlineData(0.0635, 3, "0.064")]     // 0.0635 is stored a little above the half
    [InlineData(-1, 3, "-1.000")]
    [InlineData(1, 3, "1.000")]
    [InlineData(0.8999999999999999, 2, "0.90")]
    [InlineData(0.95, 2, "0.95")]
    [InlineData(0.0, 3, "0.000")]
    [InlineData(123.4567, 3, "123.457")]
    public void FixedFormatIsPythons(double x, int digits, string expected) => Assert.Equal(expected, PythonFormat.Fixed(x, digits));

    [Fact]
    public void LinspaceIsNumpys()
    {
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], NumpyLinspace.Values(0, 1, 5));
        Assert.Equal(0.95, NumpyLinspace.Values(0.5, 0.95, 10)[^1]);
    }

    [Fact]
    public void BoxIouFollowsMaskApi()
    {
        var a = new CocoBox(0, 0, 10, 10);
        Assert.Equal(1.0, CocoBoxIou.Iou(a, a, false));
        Assert.Equal(0.0, CocoBoxIou.Iou(a, new CocoBox(10, 0, 10, 10), false));   // touching edges
        Assert.Equal(50.0 / 150.0, CocoBoxIou.Iou(a, new CocoBox(5, 0, 10, 10), false));
        // crowd: intersection over the detection's own area
        Assert.Equal(1.0, CocoBoxIou.Iou(new CocoBox(2, 2, 4, 4), new CocoBox(0, 0, 100, 100), true));
        Assert.Equal(0.5, CocoBoxIou.Iou(new CocoBox(-5, 0, 10, 10), new CocoBox(0, 0, 100, 100), true));
        Assert.Equal(0.0, CocoBoxIou.Iou(new CocoBox(2, 2, 0, 4), a, false));   // zero width

        var iou = new double[2 * 3];
        CocoBoxIou.Compute([a, new CocoBox(5, 0, 10, 10)], [a, new CocoBox(100, 100, 1, 1), new CocoBox(0, 0, 20, 20)], [false, false, true], iou);
        Assert.Equal([1.0, 0.0, 1.0, 50.0 / 150.0, 0.0, 1.0], iou);
        Assert.Throws<ArgumentException>(() => CocoBoxIou.Compute([a], [a], [false, true], iou));
    }

    [Fact]
    public void StatsReduceLikeNumpyBitForBit()
    {
        // 10 categories x 101 x 10 > 8192 entries: numpy sums in buffer-sized blocks of pairwise sums
        var f = Fixtures.Get("cocoeval", "cocoeval/random_200img_10cat.json", "coco_eval");
        var gt = FixtureCase.GroundTruth(f);
        var s = CocoEvaluator.Run(gt, FixtureCase.Detections(f, gt));
        Assert.Equal(f.Expected.GetProperty("stats").EnumerateArray().Select(x => x.GetDouble()), s.Stats);
    }

    [Fact]
    public void DetailApisRejectUnknownCells()
    {
        var (gt, dt) = Hand();
        var ev = new CocoEvaluator(gt, dt);
        Assert.Throws<ArgumentException>(() => ev.ComputeIou(99, 1));
        Assert.Throws<ArgumentException>(() => ev.ComputeIou(1, 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => ev.EvaluateImage(1, 1, 4));
        var e = ev.EvaluateImage(1, 1, 0)!;
        Assert.Equal([1L, 2L], e.DtIds);
    }

    [Fact]
    public void ResultDoesNotDependOnParallelism()
    {
        var f = Fixtures.Get("cocoeval", "cocoeval/crowd_100img_6cat.json", "coco_eval");
        var gt = FixtureCase.GroundTruth(f);
        var dt = FixtureCase.Detections(f, gt);
        var one = CocoEvaluator.Run(gt, dt, maxDegreeOfParallelism: 1);
        var four = CocoEvaluator.Run(gt, dt, maxDegreeOfParallelism: 4);
        Assert.Equal(one.Stats, four.Stats);
        Assert.Equal(FixtureCase.Flat(one.Precision), FixtureCase.Flat(four.Precision));
    }
}
