using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Tests.Models;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// MSDeformAttn against the reference module (ms_deform_attn_core_pytorch path): its output, and the gradients of
/// sum(output × grad_weight) with respect to the query, the values, the reference points and every parameter.
/// </summary>
public class DinoMsdaFixtureTests
{
    public static IEnumerable<object[]> Cases()
        => Fixtures.Names("detr", "dino_msda").SelectMany(row => Enum.GetValues<MsDeformSamplingMode>().Select(mode => new object[] { row[0], mode }));

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputAndGradientsMatchReference(string name, MsDeformSamplingMode mode)
    {
        var f = Fixtures.Get("detr", name, "dino_msda");
        var p = f.Params;
        var inputs = f.Inputs;
        using var scope = torch.NewDisposeScope();
        using var attn = new MSDeformAttn(p.GetProperty("d_model").GetInt64(), p.GetProperty("n_levels").GetInt32(),
            p.GetProperty("n_heads").GetInt32(), p.GetProperty("n_points").GetInt32()) { Sampling = mode };
        var sd = ModelFixtureTensors.StateDict(inputs.GetProperty("state_dict"));
        Assert.Equal(sd.Keys.ToArray(), attn.state_dict().Keys.ToArray());
        attn.load_state_dict(sd);
        attn.to(TestDevice.Current);

        var query = ModelFixtureTensors.ToTensor(inputs.GetProperty("query")).requires_grad_();              // [N, Lq, C]
        var refs = ModelFixtureTensors.ToTensor(inputs.GetProperty("reference_points")).requires_grad_();    // [N, Lq, L, 2|4]
        var values = ModelFixtureTensors.ToTensor(inputs.GetProperty("input_flatten")).requires_grad_();     // [N, S, C]
        var shapesTensor = ModelFixtureTensors.ToTensor(inputs.GetProperty("spatial_shapes"));               // [L, 2]
        var shapes = LevelShapes.FromTensor(shapesTensor);
        ModelFixtureTensors.AssertEqual($"{name}: level_start_index", inputs.GetProperty("level_start_index"), shapes.StartIndexTensor());
        var maskJson = inputs.GetProperty("padding_mask");
        Tensor? mask = maskJson.ValueKind == System.Text.Json.JsonValueKind.Null ? null : ModelFixtureTensors.ToTensor(maskJson); // [N, S]
        var gradWeight = ModelFixtureTensors.ToTensor(inputs.GetProperty("grad_weight"));                   // [N, Lq, C]

        var output = attn.call(query, refs, values, shapes, mask);
        ModelFixtureTensors.AssertClose($"{name}: output", f.Expected.GetProperty("output"), output, f.Atol, f.Rtol);

        output.mul(gradWeight).sum().backward();
        double gAtol = f.Tol("grad_atol", f.Atol), gRtol = f.Tol("grad_rtol", f.Rtol);
        ModelFixtureTensors.AssertClose($"{name}: grad_query", f.Expected.GetProperty("grad_query"), query.grad!, gAtol, gRtol);
        ModelFixtureTensors.AssertClose($"{name}: grad_input_flatten", f.Expected.GetProperty("grad_input_flatten"), values.grad!, gAtol, gRtol);
        ModelFixtureTensors.AssertClose($"{name}: grad_reference_points", f.Expected.GetProperty("grad_reference_points"), refs.grad!, gAtol, gRtol);
        var parameters = attn.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var expectedGrads = f.Expected.GetProperty("grad_params").EnumerateObject().ToList();
        Assert.Equal(parameters.Count, expectedGrads.Count);
        foreach (var g in expectedGrads)
            ModelFixtureTensors.AssertClose($"{name}: grad {g.Name}", g.Value, parameters[g.Name].grad!, gAtol, gRtol);
    }

    [Fact]
    public void ResetParametersGivesTheReferenceInitialisation()
    {
        using var scope = torch.NewDisposeScope();
        using var attn = new MSDeformAttn(16, 2, 4, 3);
        var sd = attn.state_dict();
        // bias [heads, levels, points, 2]: head h's direction (cos, sin of 2πh/4 over its larger component) × (point + 1)
        var bias = sd["sampling_offsets.bias"].view(4, 2, 3, 2);
        var expected = new[] { (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0) };
        for (int h = 0; h < 4; h++)
            for (int l = 0; l < 2; l++)
                for (int pt = 0; pt < 3; pt++)
                {
                    Assert.Equal(expected[h].Item1 * (pt + 1), bias[h, l, pt, 0].item<float>(), 5);
                    Assert.Equal(expected[h].Item2 * (pt + 1), bias[h, l, pt, 1].item<float>(), 5);
                }
        Assert.Equal(0, sd["sampling_offsets.weight"].abs().sum().item<float>());
        Assert.Equal(0, sd["attention_weights.weight"].abs().sum().item<float>() + sd["attention_weights.bias"].abs().sum().item<float>());
        Assert.Equal(0, sd["value_proj.bias"].abs().sum().item<float>() + sd["output_proj.bias"].abs().sum().item<float>());
        Assert.True(sd["value_proj.weight"].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void LocationsOutsideEveryMapReadZero()
    {
        using var scope = torch.NewDisposeScope();
        using var attn = new MSDeformAttn(8, 2, 2, 2);
        var shapes = new LevelShapes(new[] { (4L, 5L), (2L, 3L) });
        var values = torch.randn(1, shapes.Total, 8);
        var query = torch.randn(1, 3, 8);
        // reference points far outside [0, 1]: every sample is outside its map, so only output_proj's bias remains
        var refs = torch.ones(1, 3, 2, 2).mul(50.0);
        var output = attn.call(query, refs, values, shapes);
        var bias = attn.state_dict()["output_proj.bias"].expand(1, 3, 8);
        Assert.True(torch.allclose(output, bias, 0, 1e-6));
    }

    [Fact]
    public void WrongLevelCountIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var attn = new MSDeformAttn(8, 2, 2, 2);
        var shapes = new LevelShapes(new[] { (4L, 5L) });
        var e = Assert.Throws<ArgumentException>(() => attn.call(torch.zeros(1, 3, 8), torch.zeros(1, 3, 2, 2), torch.zeros(1, 20, 8), shapes));
        Assert.Contains("levels", e.Message);
    }
}

/// <summary>The stacked canvas gives the reference loop's values and gradients, with many samples near and past the edges.</summary>
public class MsDeformSamplingModeTests
{
    [Fact]
    public void StackedEqualsPerLevelNearAndPastTheEdges()
    {
        using var scope = torch.NewDisposeScope();
        var shapes = new LevelShapes(new[] { (5L, 7L), (3L, 4L), (2L, 2L) });
        using var gen = new Generator(7);
        var value = torch.randn(new long[] { 2, shapes.Total, 2, 3 }, generator: gen);
        // locations spread over [-0.4, 1.4]: many footprints straddle an edge, some lie wholly outside
        var raw = torch.rand(new long[] { 2, 6, 2, 3, 4, 2 }, generator: gen).mul(1.8).sub(0.4);
        var weights = torch.rand(new long[] { 2, 6, 2, 3, 4 }, generator: gen);
        Tensor[] Run(MsDeformSamplingMode mode)
        {
            var v = value.detach().requires_grad_();
            var loc = raw.detach().requires_grad_();
            var w = weights.detach().requires_grad_();
            var output = MsDeformSampling.Sample(v, shapes, loc, w, mode);
            output.mul(output).sum().backward();
            return new[] { output.detach(), v.grad!, loc.grad!, w.grad! };
        }
        var stacked = Run(MsDeformSamplingMode.Stacked);
        var perLevel = Run(MsDeformSamplingMode.PerLevel);
        var names = new[] { "output", "grad value", "grad locations", "grad weights" };
        for (int i = 0; i < names.Length; i++)
            Assert.True(torch.allclose(stacked[i], perLevel[i], 1e-4, 1e-5), $"{names[i]} differs between the stacked canvas and the per-level loop");
    }
}
