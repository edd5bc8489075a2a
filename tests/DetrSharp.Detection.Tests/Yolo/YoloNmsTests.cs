using DetrSharp.Detection.Boxes;
using DetrSharp.Detection.Yolo;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>ultralytics-style NMS on hand-made predictions whose answer is evident.</summary>
public class YoloNmsTests
{
    /// <summary>[images, 4 + classes, anchors] from per-image rows (cx, cy, w, h, class scores...).</summary>
    static Tensor Prediction(params float[][][] images)
    {
        int a = images[0].Length, ch = images[0][0].Length;
        var data = new float[images.Length * ch * a];
        for (int b = 0; b < images.Length; b++)
            for (int i = 0; i < a; i++)
                for (int c = 0; c < ch; c++)
                    data[(b * ch + c) * a + i] = images[b][i][c];
        return torch.tensor(data, new long[] { images.Length, ch, a });
    }

    static float[,] Rows(Tensor t)
    {
        var d = t.data<float>();
        var r = new float[t.shape[0], t.shape[1]];
        for (int i = 0; i < t.shape[0]; i++)
            for (int j = 0; j < t.shape[1]; j++) r[i, j] = d[i * t.shape[1] + j];
        return r;
    }

    [Fact]
    public void OverlappingBoxesOfOneClassKeepTheBestOnly()
    {
        using var scope = torch.NewDisposeScope();
        // Two 20×20 boxes shifted by 1 px (IoU 0.9) of class 1, and a far box of class 0.
        var p = Prediction(new[]
        {
            new float[] { 50, 50, 20, 20, 0.1f, 0.8f },
            new float[] { 51, 50, 20, 20, 0.1f, 0.9f },
            new float[] { 200, 200, 10, 10, 0.6f, 0.0f },
        });
        var r = YoloNms.Apply(p);
        Assert.Single(r);
        Assert.Equal(new long[] { 2, 6 }, r[0].shape);
        var rows = Rows(r[0]);
        Assert.Equal(new float[] { 41, 40, 61, 60, 0.9f, 1 }, Enumerable.Range(0, 6).Select(j => rows[0, j]));
        Assert.Equal(new float[] { 195, 195, 205, 205, 0.6f, 0 }, Enumerable.Range(0, 6).Select(j => rows[1, j]));
    }

    [Fact]
    public void OverlappingBoxesOfDifferentClassesBothStayUnlessAgnostic()
    {
        using var scope = torch.NewDisposeScope();
        var p = Prediction(new[]
        {
            new float[] { 50, 50, 20, 20, 0.8f, 0.1f },
            new float[] { 51, 50, 20, 20, 0.1f, 0.9f },
        });
        var aware = YoloNms.Apply(p);
        Assert.Equal(2, aware[0].shape[0]);
        Assert.Equal(new float[] { 1, 0 }, new[] { Rows(aware[0])[0, 5], Rows(aware[0])[1, 5] });
        var agnostic = YoloNms.Apply(p, NmsOptions.Predict with { Agnostic = true });
        Assert.Equal(1, agnostic[0].shape[0]);
        Assert.Equal(0.9f, Rows(agnostic[0])[0, 4]);
    }

    [Fact]
    public void IouAtTheThresholdIsNotSuppressed()
    {
        using var scope = torch.NewDisposeScope();
        // Boxes [0, 10] and [5, 15] × [0, 10]: intersection 50, union 150, IoU 1/3.
        var boxes = torch.tensor(new float[] { 0, 0, 10, 10, 5, 0, 15, 10 }, new long[] { 2, 4 });
        var scores = torch.tensor(new float[] { 0.5f, 0.9f });
        Assert.Equal(new long[] { 1, 0 }, Nms.Compute(boxes, scores, 0.34).data<long>());
        Assert.Equal(new long[] { 1 }, Nms.Compute(boxes, scores, 0.33).data<long>());
    }

    [Fact]
    public void ConfidenceThresholdDropsWeakBoxesAndValKeepsThem()
    {
        using var scope = torch.NewDisposeScope();
        var p = Prediction(new[]
        {
            new float[] { 50, 50, 20, 20, 0.25f, 0.2f },  // best score exactly 0.25: not above the threshold
            new float[] { 150, 50, 20, 20, 0.01f, 0.3f },
            new float[] { 250, 50, 20, 20, 0.0005f, 0.0f },
        });
        var predict = YoloNms.Apply(p);
        Assert.Equal(1, predict[0].shape[0]);
        Assert.Equal(0.3f, Rows(predict[0])[0, 4]);
        var val = YoloNms.Apply(p, NmsOptions.Val);
        Assert.Equal(2, val[0].shape[0]);
        Assert.Equal(new float[] { 0.3f, 0.25f }, new[] { Rows(val[0])[0, 4], Rows(val[0])[1, 4] });
    }

    [Fact]
    public void MaxDetKeepsTheHighestScores()
    {
        using var scope = torch.NewDisposeScope();
        var rows = Enumerable.Range(0, 6).Select(i => new float[] { 30 + 40 * i, 30, 20, 20, 0.3f + 0.1f * i }).ToArray();
        var r = YoloNms.Apply(Prediction(rows), NmsOptions.Predict with { MaxDet = 3 });
        Assert.Equal(new long[] { 3, 6 }, r[0].shape);
        var kept = Rows(r[0]);
        Assert.Equal(new float[] { 220, 180, 140 }, new[] { kept[0, 0], kept[1, 0], kept[2, 0] });
    }

    [Fact]
    public void ImagesAreIndependentAndAnEmptyImageGivesNoRows()
    {
        using var scope = torch.NewDisposeScope();
        var a = new[] { new float[] { 50, 50, 20, 20, 0.9f }, new float[] { 51, 50, 20, 20, 0.8f } };
        var b = new[] { new float[] { 50, 50, 20, 20, 0.1f }, new float[] { 51, 50, 20, 20, 0.2f } };
        var r = YoloNms.Apply(Prediction(a, b, a));
        Assert.Equal(3, r.Length);
        Assert.Equal(1, r[0].shape[0]);
        Assert.Equal(new long[] { 0, 6 }, r[1].shape);
        Assert.Equal(1, r[2].shape[0]);
    }

    [Fact]
    public void MultiLabelGivesOneRowPerClassAboveTheThreshold()
    {
        using var scope = torch.NewDisposeScope();
        var p = Prediction(new[] { new float[] { 50, 50, 20, 20, 0.6f, 0.7f, 0.1f } });
        var r = YoloNms.Apply(p, NmsOptions.Predict with { MultiLabel = true });
        var rows = Rows(r[0]);
        Assert.Equal(2, r[0].shape[0]);
        Assert.Equal(new float[] { 0.7f, 1, 0.6f, 0 }, new[] { rows[0, 4], rows[0, 5], rows[1, 4], rows[1, 5] });
    }

    [Fact]
    public void ExtraChannelsAreCarriedAsMaskColumns()
    {
        using var scope = torch.NewDisposeScope();
        var p = Prediction(new[] { new float[] { 50, 50, 20, 20, 0.6f, 0.7f, 3.5f } });
        var r = YoloNms.Apply(p, NmsOptions.Predict with { NumClasses = 2 });
        Assert.Equal(new long[] { 1, 7 }, r[0].shape);
        Assert.Equal(3.5f, Rows(r[0])[0, 6]);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => YoloNms.Apply(torch.zeros(2, 4, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => YoloNms.Apply(torch.zeros(1, 6, 10), NmsOptions.Predict with { IouThres = 1.5 }));
    }

    [Theory]
    [InlineData(false, 300)]
    [InlineData(false, 7)]
    [InlineData(true, 50)]
    public void EqualsOneGreedyPassOverClassOffsetBoxes(bool agnostic, int maxDet)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(seed: 7 + maxDet);
        const int anchors = 600, classes = 5;
        var centre = torch.rand(new long[] { 1, 2, anchors }, generator: gen) * 200;
        var size = torch.rand(new long[] { 1, 2, anchors }, generator: gen) * 60 + 5;
        var scores = torch.rand(new long[] { 1, classes, anchors }, generator: gen);
        var p = torch.cat(new[] { centre, size, scores }, 1);                              // [1, 4 + C, A]
        var options = NmsOptions.Val with { Agnostic = agnostic, MaxDet = maxDet };
        var got = YoloNms.Apply(p, options)[0];

        // The reference's steps: best class, xyxy, boxes offset by class × max_wh, one NMS, first max_det.
        var x = p.select(0, 0).t();                                                         // [A, 4 + C]
        var (best, cls) = x.slice(1, 4, 4 + classes).max(1);
        var keepRows = best.gt(options.ConfThres);
        var boxes = BoxConvert.CxcywhToXyxy(x.slice(1, 0, 4)).index(new Tensor?[] { keepRows });
        var conf = best.index(new Tensor?[] { keepRows });
        var klass = cls.index(new Tensor?[] { keepRows }).to(ScalarType.Float32);
        var offset = boxes + (klass * (agnostic ? 0 : 7680)).unsqueeze(1);
        var idx = Nms.Compute(offset, conf, options.IouThres);
        idx = idx.slice(0, 0, Math.Min(maxDet, idx.shape[0]));
        var expected = torch.cat(new[] { boxes.index_select(0, idx), conf.index_select(0, idx).unsqueeze(1), klass.index_select(0, idx).unsqueeze(1) }, 1);

        Assert.True(expected.shape[0] > 1);
        Assert.Equal(expected.shape, got.shape);
        Assert.True(torch.equal(expected, got));
    }
}
