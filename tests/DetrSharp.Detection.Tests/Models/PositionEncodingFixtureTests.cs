using DetrSharp.Detection.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Models;

/// <summary>
/// PositionEmbeddingSine and PositionEmbeddingLearned reproduce detr's position_encoding.py on every
/// position_encoding fixture (padding keeps the last cumulative value, sin/cos interleaved, y first).
/// </summary>
public class PositionEncodingFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "position_encoding");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var f = Fixtures.Get("detr", name, "position_encoding");
        using var scope = torch.NewDisposeScope();
        var p = f.Params;
        long numPosFeats = p.GetProperty("num_pos_feats").GetInt64();
        Tensor pos;
        switch (p.GetProperty("type").GetString())
        {
            case "sine":
            {
                bool normalize = p.GetProperty("normalize").GetBoolean();
                using var embedding = new PositionEmbeddingSine(numPosFeats, p.GetProperty("temperature").GetDouble(), normalize,
                    normalize ? p.GetProperty("scale").GetDouble() : null);
                var mask = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("mask"));     // [B, H, W]
                var s = mask.shape;
                var features = torch.zeros(s[0], 1, s[1], s[2]);                           // [B, 1, H, W]
                pos = embedding.call(new NestedTensor(features, mask));
                break;
            }
            case "learned":
            {
                using var embedding = new PositionEmbeddingLearned(numPosFeats);
                embedding.load_state_dict(ModelFixtureTensors.StateDict(f.Inputs));
                long b = p.GetProperty("batch").GetInt64(), h = p.GetProperty("height").GetInt64(), w = p.GetProperty("width").GetInt64();
                var features = torch.zeros(b, 1, h, w);
                var mask = torch.zeros(new[] { b, h, w }, ScalarType.Bool);
                pos = embedding.call(new NestedTensor(features, mask));
                break;
            }
            default:
                throw new NotSupportedException(p.GetProperty("type").GetString());
        }
        ModelFixtureTensors.AssertClose($"{name}: pos", f.Expected.GetProperty("pos"), pos, f.Atol, f.Rtol);
    }
}
