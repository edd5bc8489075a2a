using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// prepare_for_cdn's layout against the reference: pad_size, groups and the attention mask, and (without noise) the
/// inverse-sigmoid target boxes in their positive and negative slots with zeros in the padding slots.
/// </summary>
public class DinoCdnMaskFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "dino_cdn_mask");

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayoutAndMaskMatchReference(string name)
    {
        var f = Fixtures.Get("detr", name, "dino_cdn_mask");
        var p = f.Params;
        using var scope = torch.NewDisposeScope();
        var targets = f.Inputs.GetProperty("targets").EnumerateArray()
            .Select(t => new DetectionTarget(ModelFixtureTensors.ToTensor(t.GetProperty("labels")), ModelFixtureTensors.ToTensor(t.GetProperty("boxes")))).ToList();
        int dn = p.GetProperty("dn_number").GetInt32(), queries = p.GetProperty("num_queries").GetInt32(), classes = p.GetProperty("num_classes").GetInt32();

        using var gen = new Generator(1);
        var noisy = ContrastiveDenoising.Prepare(targets, dn, p.GetProperty("label_noise_ratio").GetDouble(), p.GetProperty("box_noise_scale").GetDouble(),
            queries, classes, gen);
        Assert.Equal(f.Expected.GetProperty("pad_size").GetInt64(), noisy.PadSize);
        Assert.Equal(f.Expected.GetProperty("num_dn_group").GetInt64(), noisy.NumDnGroup);
        ModelFixtureTensors.AssertEqual($"{name}: attn_mask", f.Expected.GetProperty("attn_mask"), noisy.AttnMask);

        var clean = ContrastiveDenoising.Prepare(targets, dn, 0, 0, queries, classes, gen);
        ModelFixtureTensors.AssertClose($"{name}: input_query_bbox_noise_free", f.Expected.GetProperty("input_query_bbox_noise_free"), clean.BoxesUnsigmoid, f.Atol, f.Rtol);
        // without noise every filled slot holds its target's label, padding slots -1
        var filled = clean.BoxesUnsigmoid.abs().sum(-1).gt(0);
        Assert.True(clean.Labels.ge(0).eq(filled).all().item<bool>(), $"{name}: labels and boxes disagree on which slots are filled");
    }

    [Fact]
    public void GroupsFollowTheReferenceRule()
    {
        Assert.Equal(98, ContrastiveDenoising.Groups(49, 3));    // 98 < 100: kept
        Assert.Equal(1, ContrastiveDenoising.Groups(50, 51));    // 100 // 102 = 0 -> 1
        Assert.Equal(20, ContrastiveDenoising.Groups(100, 5));   // 200 // 10
        Assert.Equal(1, ContrastiveDenoising.Groups(100, 0));    // no targets
    }
}
