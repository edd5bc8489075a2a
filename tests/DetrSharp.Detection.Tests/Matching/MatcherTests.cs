using DetrSharp.Detection.Matching;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Matching;

/// <summary>HungarianMatcher beyond the fixtures: bit-equality with the reference's algorithm, layers, errors.</summary>
public class MatcherTests
{
    static (Tensor Logits, Tensor Boxes, List<DetectionTarget> Targets) Random(int batch, int queries, int classes, int[] counts, long seed)
    {
        using var gen = new Generator(seed);
        var logits = torch.randn([batch, queries, classes], generator: gen);
        var boxes = Boxes(torch.rand([batch, queries, 4], generator: gen));
        var targets = counts.Select(n => new DetectionTarget(
            torch.randint(0, classes - 1, [n], ScalarType.Int64, generator: gen), Boxes(torch.rand([n, 4], generator: gen)))).ToList();
        return (logits, boxes, targets);
    }

    static Tensor Boxes(Tensor u) => torch.cat(new[] { u.slice(-1, 0, 2) * 0.8 + 0.1, u.slice(-1, 2, 4) * 0.3 + 0.01 }, -1);

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var dino in new[] { false, true })
        {
            yield return [dino, 30, new[] { 0, 3, 7, 1 }];   // uneven counts, an empty image
            yield return [dino, 12, new[] { 12, 20, 5 }];    // as many and more targets than queries
            yield return [dino, 50, new[] { 4, 4 }];         // equal counts
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void BlocksAndMatchesAreTheReferencesBitForBit(bool dino, int queries, int[] counts)
    {
        using var scope = torch.NewDisposeScope();
        var options = dino ? HungarianMatcherOptions.Dino : HungarianMatcherOptions.Detr;
        var (logits, boxes, targets) = Random(counts.Length, queries, dino ? 91 : 92, counts, 11 + queries);
        var matcher = new HungarianMatcher(options);
        var reference = ReferenceMatcher.Run(options, logits, boxes, targets);
        var blocks = matcher.CostMatrices(logits, boxes, targets);
        var matches = matcher.Match(logits, boxes, targets);
        for (int b = 0; b < counts.Length; b++)
        {
            Assert.Equal(reference[b].Cost, blocks[b]);
            Assert.Equal(reference[b].Match.Rows.Select(x => (long)x), matches[b].Src);
            Assert.Equal(reference[b].Match.Cols.Select(x => (long)x), matches[b].Tgt);
            Assert.Equal(Math.Min(queries, counts[b]), matches[b].Count);
        }
    }

    [Fact]
    public void CostBlocksArePaddedQueryMajor()
    {
        using var scope = torch.NewDisposeScope();
        var (logits, boxes, targets) = Random(3, 9, 92, [2, 5, 0], 5);
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Detr);
        using var batch = TargetBatch.Create(targets, Device.CPU, ScalarType.Float32);
        var blocks = matcher.CostBlocks(logits, boxes, batch);
        Assert.Equal(new long[] { 3, 9, 5 }, blocks.shape);
        var matrices = matcher.CostMatrices(logits, boxes, targets);
        var image1 = blocks[1].data<float>();
        Assert.Equal(matrices[1], image1);
        Assert.Equal(blocks[0].slice(1, 0, 2).contiguous().data<float>(), matrices[0]);
        Assert.Empty(matrices[2]);
    }

    [Fact]
    public void MatchLayersEqualsOneLayerAtATime()
    {
        using var scope = torch.NewDisposeScope();
        var (l0, b0, targets) = Random(4, 40, 92, [3, 0, 9, 1], 21);
        var (l1, b1, _) = Random(4, 40, 92, [3, 0, 9, 1], 22);
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Detr with { MaxDegreeOfParallelism = 3, ParallelMinEntries = 0 });
        using var batch = TargetBatch.Create(targets, Device.CPU, ScalarType.Float32);
        var both = matcher.MatchLayers([(l0, b0), (l1, b1)], batch);
        foreach (var (layer, (logits, boxes)) in new[] { (0, (l0, b0)), (1, (l1, b1)) })
        {
            var one = matcher.Match(logits, boxes, targets);
            for (int b = 0; b < 4; b++)
            {
                Assert.Equal(one[b].Src, both[layer][b].Src);
                Assert.Equal(one[b].Tgt, both[layer][b].Tgt);
            }
        }
    }

    [Fact]
    public void MatchLeavesNoTensorsBehind()
    {
        using var outer = torch.NewDisposeScope();
        var (logits, boxes, targets) = Random(3, 30, 91, [4, 0, 7], 8);
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Dino);
        using var step = torch.NewDisposeScope();
        matcher.Match(logits, boxes, targets);
        using (var batch = TargetBatch.Create(targets, Device.CPU, ScalarType.Float32))
            matcher.MatchLayers([(logits, boxes), (logits, boxes)], batch);
        Assert.Equal(0, step.Count);
    }

    [Fact]
    public void NoTargetsGiveEmptyMatches()
    {
        using var scope = torch.NewDisposeScope();
        var (logits, boxes, targets) = Random(2, 10, 92, [0, 0], 3);
        var matches = new HungarianMatcher(HungarianMatcherOptions.Detr).Match(logits, boxes, targets);
        Assert.All(matches, m => Assert.Equal(0, m.Count));
        var (src, tgt) = matches[0].ToTensors();
        Assert.Equal(new long[] { 0 }, src.shape);
        Assert.Equal(ScalarType.Int64, tgt.dtype);
    }

    [Fact]
    public void BadInputsRaiseClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        var (logits, boxes, targets) = Random(2, 10, 92, [2, 3], 4);
        var matcher = new HungarianMatcher(HungarianMatcherOptions.Detr);

        Assert.Throws<ArgumentException>(() => new HungarianMatcher(0, 0, 0));
        Assert.Contains("pred_boxes", Assert.Throws<ArgumentException>(() => matcher.Match(logits, boxes.slice(1, 0, 5), targets)).Message);
        Assert.Contains("targets", Assert.Throws<ArgumentException>(() => matcher.Match(logits, boxes, targets.Take(1).ToList())).Message);

        var badLabel = new List<DetectionTarget> { targets[0], new(torch.tensor(new long[] { 3, 92, 1 }), targets[1].Boxes) };
        Assert.Contains("outside [0, 92)", Assert.Throws<ArgumentException>(() => matcher.Match(logits, boxes, badLabel)).Message);

        var negativeWidth = boxes.clone();
        negativeWidth[1, 4, 2] = torch.tensor(-0.5f);
        Assert.Contains("degenerate", Assert.Throws<ArgumentException>(() => matcher.Match(logits, negativeWidth, targets)).Message);

        var nanLogits = logits.clone();
        nanLogits[1, 7, 0] = torch.tensor(float.NaN);
        foreach (var m in new[] { matcher, new HungarianMatcher(HungarianMatcherOptions.Detr with { ParallelMinEntries = 0 }) })
        {
            var e = Assert.Throws<ArgumentException>(() => m.Match(nanLogits, boxes, targets));
            Assert.Contains("image 1", e.Message);
            Assert.Contains("query 7", e.Message);
        }
    }
}
