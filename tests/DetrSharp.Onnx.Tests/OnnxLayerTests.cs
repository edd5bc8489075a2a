namespace DetrSharp.Onnx.Tests;

/// <summary>The runtime layer's contract: no code of its own calls the Torch layer, and its NMS behaves as torchvision's.</summary>
public class OnnxLayerTests
{
    [Fact]
    public void TheOnnxLibraryDoesNotReferenceTheTorchLayer()
    {
        var refs = typeof(OnnxDetector).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Microsoft.ML.OnnxRuntime", refs);
        Assert.DoesNotContain("DetrSharp.Torch", refs);
        Assert.DoesNotContain("DetrSharp.Detection", refs);
    }

    [Fact]
    public void NmsKeepsTheBestOfOverlappingBoxesPerClass()
    {
        // 4 anchors, 2 classes; rows: cx, cy, w, h, score class 0, score class 1
        float[] output =
        [
            10, 11, 50, 10,      // cx
            10, 11, 50, 10,      // cy
            10, 10, 10, 10,      // w
            10, 10, 10, 10,      // h
            0.9f, 0.8f, 0.1f, 0.05f,   // class 0
            0.1f, 0.2f, 0.7f, 0.85f,   // class 1
        ];
        var kept = PlainNms.Apply(output, anchors: 4, nc: 2, conf: 0.25f, iou: 0.5f, maxDet: 300, agnostic: false);
        // anchor 1 overlaps anchor 0 (IoU 0.68, same class 0) and goes; anchor 3 (class 1) overlaps anchor 0 but is another class
        Assert.Equal([0.9f, 0.85f, 0.7f], kept.Select(k => k.Score));
        Assert.Equal([0, 1, 1], kept.Select(k => k.Label));
        Assert.Equal((5f, 5f, 15f, 15f), (kept[0].X1, kept[0].Y1, kept[0].X2, kept[0].Y2));
        var agnostic = PlainNms.Apply(output, 4, 2, 0.25f, 0.5f, 300, agnostic: true);
        Assert.Equal([0.9f, 0.7f], agnostic.Select(k => k.Score));   // anchor 3 now suppressed by anchor 0 too
        Assert.Single(PlainNms.Apply(output, 4, 2, 0.25f, 0.5f, maxDet: 1, agnostic: false));
    }

    [Fact]
    public void LoadSaysWhatIsWrongWithTheFile()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "none.onnx");
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => OnnxDetector.Load(missing)).Message);
        var garbage = Path.Combine(folder.Path, "garbage.onnx");
        File.WriteAllText(garbage, "not a model");
        Assert.Contains("ONNX Runtime cannot load the model", Assert.Throws<InvalidDataException>(() => OnnxDetector.Load(garbage)).Message);
        // a valid graph without DetrSharp's metadata
        var g = new DetrSharp.Export.Graph.OnnxGraph(17);
        g.Input(DetrSharp.Export.Proto.ValueInfoProto.Tensor("x", DetrSharp.Export.Proto.TensorDataType.Float, 1L, 3L));
        g.Output(g.Op("Relu", "x"), DetrSharp.Export.Proto.ValueInfoProto.Tensor("y", DetrSharp.Export.Proto.TensorDataType.Float, 1L, 3L));
        var plain = Path.Combine(folder.Path, "plain.onnx");
        DetrSharp.Export.OnnxModelFile.Write(g.ToModel(new Dictionary<string, string>()), plain);
        Assert.Contains("not exported by `detrsharp export`", Assert.Throws<InvalidDataException>(() => OnnxDetector.Load(plain)).Message);
    }

    [Fact]
    public void ExportRefusesAnOpsetItDoesNotWrite()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DetrSharp.Export.Graph.OnnxGraph(12));
        Assert.Contains("opset must be between 13 and 18", e.Message);
    }
}
