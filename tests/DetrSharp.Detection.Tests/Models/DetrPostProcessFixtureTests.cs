using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>DetrPostProcess reproduces detr's PostProcess (integer and fractional target sizes).</summary>
public class DetrPostProcessFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "detr_postprocess");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = Fixtures.Get("detr", name, "detr_postprocess");
        using var scope = torch.NewDisposeScope();
        var logits = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("pred_logits"));  // [B, Q, C + 1]
        var boxes = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("pred_boxes"));    // [B, Q, 4]
        var sizes = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("target_sizes"));  // [B, 2]
        var results = DetrPostProcess.Process(new DetrOutput(logits, boxes), sizes);

        var expected = f.Expected.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(expected.Count, results.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            ModelFixtureTensors.AssertClose($"{name}[{i}].scores", e.GetProperty("scores"), results[i].Scores, f.Atol, f.Rtol);
            ModelFixtureTensors.AssertEqual($"{name}[{i}].labels", e.GetProperty("labels"), results[i].Labels);
            Assert.Equal(ScalarType.Int64, results[i].Labels.dtype);
            ModelFixtureTensors.AssertClose($"{name}[{i}].boxes", e.GetProperty("boxes"), results[i].Boxes, f.Atol, f.Rtol);
        }
    }
}
