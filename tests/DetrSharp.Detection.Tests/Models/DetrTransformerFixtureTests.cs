using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>
/// The transformer loads the reference's weights under PyTorch's names (strict, same key order) and
/// reproduces hs (every decoder layer, each through the final norm) and memory, post- and pre-norm.
/// </summary>
public class DetrTransformerFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "detr_transformer");

    static Transformer Build(Fixture f)
    {
        var p = f.Params;
        Assert.Equal("relu", p.GetProperty("activation").GetString());
        return new Transformer(
            p.GetProperty("d_model").GetInt64(), p.GetProperty("nhead").GetInt64(),
            p.GetProperty("num_encoder_layers").GetInt32(), p.GetProperty("num_decoder_layers").GetInt32(),
            p.GetProperty("dim_feedforward").GetInt64(), p.GetProperty("dropout").GetDouble(), TransformerActivation.ReLU,
            p.GetProperty("normalize_before").GetBoolean(), p.GetProperty("return_intermediate_dec").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StateDictKeysEqualReference(string name)
    {
        var f = Fixtures.Get("detr", name, "detr_transformer");
        using var scope = torch.NewDisposeScope();
        using var transformer = Build(f);
        var sd = transformer.state_dict();
        var expected = f.Inputs.GetProperty("state_dict").EnumerateObject().ToList();
        Assert.Equal(expected.Select(e => e.Name).ToArray(), sd.Keys.ToArray());
        foreach (var e in expected)
            Assert.Equal(FixtureTensor.Parse(e.Value).Shape, sd[e.Name].shape);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesReference(string name)
    {
        var f = Fixtures.Get("detr", name, "detr_transformer");
        Assert.Equal("eval", f.Params.GetProperty("mode").GetString());
        using var scope = torch.NewDisposeScope();
        using var transformer = Build(f);
        var result = transformer.load_state_dict(ModelFixtureTensors.StateDict(f.Inputs.GetProperty("state_dict")));
        Assert.True(result.IsClean, result.ToString());
        transformer.eval();

        var src = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("src"));               // [B, C, h, w]
        var mask = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("mask"));             // [B, h, w]
        var queryEmbed = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("query_embed")); // [Q, C]
        var posEmbed = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("pos_embed"));    // [B, C, h, w]
        using var noGrad = torch.no_grad();
        var (hs, memory) = transformer.call(src, mask, queryEmbed, posEmbed);

        ModelFixtureTensors.AssertClose($"{name}: hs", f.Expected.GetProperty("hs"), hs, f.Atol, f.Rtol);
        ModelFixtureTensors.AssertClose($"{name}: memory", f.Expected.GetProperty("memory"), memory, f.Atol, f.Rtol);
    }

    [Fact]
    public void PositionsOfTheFixtureAreTheSineEncodingOfItsMask()
    {
        // The fixtures' pos_embed is PositionEmbeddingSine(d_model / 2, normalize=True) of the mask (see notes).
        foreach (var row in Cases())
        {
            var f = Fixtures.Get("detr", (string)row[0], "detr_transformer");
            using var scope = torch.NewDisposeScope();
            var mask = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("mask"));
            using var sine = new PositionEmbeddingSine(f.Params.GetProperty("d_model").GetInt64() / 2, normalize: true);
            var pos = sine.Encode(mask);
            ModelFixtureTensors.AssertClose($"{row[0]}: pos_embed", f.Inputs.GetProperty("pos_embed"), pos, 1e-5, 1e-5);
        }
    }
}
