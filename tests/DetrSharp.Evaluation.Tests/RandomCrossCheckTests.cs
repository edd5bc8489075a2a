using DetrSharp.TestSupport;
using Xunit;

namespace DetrSharp.Evaluation.Tests;

/// <summary>
/// The packed, parallel evaluator against <see cref="ReferenceCocoEval"/> on random small sets full of
/// edge cases: score ties, duplicate boxes, crowds, areas on range bounds, gt id 0, foreign categories,
/// unusual maxDets, useCats = 0, image and category subsets.
/// </summary>
public class RandomCrossCheckTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(0, 60).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EqualsTheLiteralTranscription(int seed)
    {
        var rng = new Random(seed);
        var (gt, dt) = RandomSet(rng);
        var p = RandomParams(rng, gt);
        var ev = new CocoEvaluator(gt, dt, p) { MaxDegreeOfParallelism = 1 + seed % 3 };
        ev.Evaluate();
        var acc = ev.Accumulate();
        var (precision, recall, scores) = ReferenceCocoEval.Run(gt, dt, ev.Params);

        Assert.Equal(FixtureCase.Shape(precision), FixtureCase.Shape(acc.Precision));
        Close.All($"seed {seed} precision", FixtureCase.Flat(precision), FixtureCase.Flat(acc.Precision), 0, 0);
        Close.All($"seed {seed} recall", FixtureCase.Flat(recall), FixtureCase.Flat(acc.Recall), 0, 0);
        Close.All($"seed {seed} scores", FixtureCase.Flat(scores), FixtureCase.Flat(acc.Scores), 0, 0);
        if (ev.Params.MaxDets.Length >= 3) Assert.Equal(12, ev.Summarize().Stats.Length);
    }

    static (CocoGroundTruth, CocoDetections) RandomSet(Random rng)
    {
        var imgIds = Enumerable.Range(1, 60).OrderBy(_ => rng.Next()).Take(1 + rng.Next(10)).Select(i => (long)i).ToArray();
        var catIds = Enumerable.Range(1, 20).OrderBy(_ => rng.Next()).Take(1 + rng.Next(4)).Select(i => (long)i).ToArray();
        var anns = new List<CocoAnnotation>();
        var dets = new List<CocoDetection>();
        long nextId = rng.Next(3) == 0 ? 0 : 1;   // sometimes a gt with id 0
        double[] boundaryAreas = [1024, 9216, 1023.5, 9216.5, 0, 1e10];
        foreach (long img in imgIds)
        {
            int n = rng.Next(7);
            var boxes = new List<(CocoBox, long)>();
            for (int g = 0; g < n; g++)
            {
                var box = rng.Next(5) == 0 && boxes.Count > 0 ? boxes[rng.Next(boxes.Count)].Item1 : GridBox(rng);
                long cat = catIds[rng.Next(catIds.Length)];
                double area = rng.Next(4) == 0 ? boundaryAreas[rng.Next(boundaryAreas.Length)] : box.Width * box.Height;
                anns.Add(new CocoAnnotation(nextId++, img, cat, box, area, rng.Next(7) == 0));
                boxes.Add((box, cat));
            }
            int nd = rng.Next(16);
            for (int d = 0; d < nd; d++)
            {
                CocoBox box;
                long cat;
                if (boxes.Count > 0 && rng.Next(3) > 0)
                {
                    var (b, c) = boxes[rng.Next(boxes.Count)];
                    box = new CocoBox(b.X + rng.Next(-4, 5), b.Y + rng.Next(-4, 5), Math.Max(0, b.Width + rng.Next(-6, 7)), Math.Max(0, b.Height + rng.Next(-6, 7)));
                    cat = rng.Next(5) == 0 ? catIds[rng.Next(catIds.Length)] : c;
                }
                else
                {
                    box = GridBox(rng);
                    cat = rng.Next(10) == 0 ? 99 : catIds[rng.Next(catIds.Length)];
                }
                dets.Add(new CocoDetection(img, cat, box, Math.Round(rng.NextDouble(), 1)));
            }
        }
        if (dets.Count == 0) dets.Add(new CocoDetection(imgIds[0], catIds[0], GridBox(rng), 0.5));
        var gt = new CocoGroundTruth(imgIds.Select(i => new CocoImage(i)), catIds.Select(c => new CocoCategory(c)), anns);
        return (gt, CocoDetections.FromList(dets, gt));
    }

    static CocoBox GridBox(Random rng)
    {
        double w = 4 * rng.Next(0, 40), h = 4 * rng.Next(1, 40);
        return new CocoBox(8 * rng.Next(0, 20), 8 * rng.Next(0, 20), w, h);
    }

    static CocoEvalParams RandomParams(Random rng, CocoGroundTruth gt)
    {
        int[][] maxDets = [[1, 10, 100], [1, 3, 5], [100, 2, 7], [0, 4, 100, 1000], [2]];
        var p = new CocoEvalParams
        {
            MaxDets = maxDets[rng.Next(maxDets.Length)],
            UseCats = rng.Next(4) != 0,
            ImgIds = rng.Next(4) == 0 ? gt.ImageIds.Where(_ => rng.Next(2) == 0).Append(999).ToArray() : null,
            CatIds = rng.Next(4) == 0 ? gt.CategoryIds.Where(_ => rng.Next(2) == 0).Append(99).Reverse().ToArray() : null,
        };
        if (rng.Next(4) == 0)
            p = new CocoEvalParams
            {
                MaxDets = p.MaxDets, UseCats = p.UseCats, ImgIds = p.ImgIds, CatIds = p.CatIds,
                AreaRng = [new(0, 1e10), new(0, 400), new(400, 1e10)],
                AreaRngLbl = ["all", "small", "large"],
                IouThrs = [0.1, 0.5, 0.75, 1.0],
                RecThrs = [0, 0.2, 0.5, 0.5, 1.0, 0.3],
            };
        return p;
    }
}
