using DetrSharp.Detection.Dino;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>DINO's PostProcess on a case small enough to check by hand.</summary>
public class DinoPostProcessTests
{
    [Fact]
    public void TopPairsOverQueriesAndClassesWithBoxesInPixels()
    {
        using var scope = torch.NewDisposeScope();
        // 1 image, 2 queries, 3 classes; logits chosen so the sigmoid order is (q1,c2) > (q0,c0) > (q1,c0) > rest
        var logits = torch.tensor(new float[] { 1f, -3f, -2f, 0.5f, -4f, 2f }, new long[] { 1, 2, 3 });
        var boxes = torch.tensor(new float[] { 0.5f, 0.5f, 0.2f, 0.4f, 0.25f, 0.75f, 0.5f, 0.5f }, new long[] { 1, 2, 4 });
        var sizes = torch.tensor(new long[] { 100, 200 }, new long[] { 1, 2 });   // height 100, width 200

        var r = DinoPostProcess.Process(logits, boxes, sizes, numSelect: 3)[0];

        Assert.Equal(new long[] { 2, 0, 0 }, r.Labels.data<long>().ToArray());
        var scores = r.Scores.data<float>().ToArray();
        Assert.Equal(1 / (1 + Math.Exp(-2)), scores[0], 5);
        Assert.Equal(1 / (1 + Math.Exp(-1)), scores[1], 5);
        Assert.Equal(1 / (1 + Math.Exp(-0.5)), scores[2], 5);
        // query 1: cx .25 cy .75 w .5 h .5 -> x 0..0.5, y 0.5..1 -> (0, 50, 100, 100) px; query 0: (80, 30, 120, 70)
        var expected = new float[] { 0, 50, 100, 100, 80, 30, 120, 70, 0, 50, 100, 100 };
        var got = r.Boxes.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], got[i], 4);
    }

    [Fact]
    public void NumSelectIsCappedAtQueriesTimesClasses()
    {
        using var scope = torch.NewDisposeScope();
        var r = DinoPostProcess.Process(torch.zeros(2, 2, 3), torch.ones(2, 2, 4).mul(0.5), torch.ones(2, 2));
        Assert.Equal(2, r.Count);
        Assert.Equal(new long[] { 6 }, r[1].Scores.shape);
    }

    [Fact]
    public void MismatchedTargetSizesAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => DinoPostProcess.Process(torch.zeros(2, 2, 3), torch.zeros(2, 2, 4), torch.ones(1, 2)));
        Assert.Contains("target_sizes", e.Message);
    }
}
