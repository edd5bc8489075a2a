using System.Text.Json;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Models;
using DetrSharp.Detection.Tests.Models;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Detection.Tests.Dino;

/// <summary>
/// A tiny DINO (hidden 256, 3 levels from 2 stub backbone maps + 1 extra conv, 1 encoder and 2 decoder layers) with
/// the reference's weights (read with the project's torch.load) reproduces every output of the reference's
/// forward, including the two-stage interm outputs and, in training with injected denoising queries, the dn part;
/// and the gradients of the fixture's weighted sum of outputs for the listed parameters.
/// </summary>
public class DinoForwardFixtureTests
{
    public static IEnumerable<object[]> Cases() => Fixtures.Names("detr", "dino_forward");

    /// <summary>The cases that give denoising queries (train mode).</summary>
    public static IEnumerable<object[]> DenoisingCases() => Fixtures.Load("detr", "dino_forward")
        .Where(f => f.Inputs.TryGetProperty("cdn", out var c) && c.ValueKind == JsonValueKind.Object).Select(f => new object[] { f.Name });

    internal static DinoConfig ConfigOf(JsonElement p) => DinoConfig.FourScale() with
    {
        HiddenDim = p.GetProperty("hidden_dim").GetInt64(),
        NHeads = p.GetProperty("nheads").GetInt32(),
        EncLayers = p.GetProperty("enc_layers").GetInt32(),
        DecLayers = p.GetProperty("dec_layers").GetInt32(),
        DimFeedforward = p.GetProperty("dim_feedforward").GetInt64(),
        NumQueries = p.GetProperty("num_queries").GetInt32(),
        NumFeatureLevels = p.GetProperty("num_feature_levels").GetInt32(),
        EncNPoints = p.GetProperty("enc_n_points").GetInt32(),
        DecNPoints = p.GetProperty("dec_n_points").GetInt32(),
        NumClasses = p.GetProperty("num_classes").GetInt32(),
        Dropout = p.GetProperty("dropout").GetDouble(),
        DnNumber = p.GetProperty("dn_number").GetInt32(),
        DnLabelbookSize = p.GetProperty("dn_labelbook_size").GetInt32(),
        DnLabelNoiseRatio = p.GetProperty("dn_label_noise_ratio").GetDouble(),
        DnBoxNoiseScale = p.GetProperty("dn_box_noise_scale").GetDouble(),
        TwoStageBboxEmbedShare = p.GetProperty("two_stage_bbox_embed_share").GetBoolean(),
        TwoStageClassEmbedShare = p.GetProperty("two_stage_class_embed_share").GetBoolean(),
        DecPredBboxEmbedShare = p.GetProperty("dec_pred_bbox_embed_share").GetBoolean(),
        DecPredClassEmbedShare = p.GetProperty("dec_pred_class_embed_share").GetBoolean(),
        PeTemperatureH = p.GetProperty("pe_temperatureH").GetDouble(),
        PeTemperatureW = p.GetProperty("pe_temperatureW").GetDouble(),
    };

    /// <summary>The model of a fixture with its weights loaded strictly, and the samples (zero images + the image mask).</summary>
    internal static (DINO model, NestedTensor samples) Build(Fixture f)
    {
        var p = f.Params;
        Assert.Equal("standard", p.GetProperty("two_stage_type").GetString());
        Assert.Equal("sine", p.GetProperty("position_embedding").GetString());
        var config = ConfigOf(p);
        var features = f.Inputs.GetProperty("features").EnumerateArray().Select(ModelFixtureTensors.ToTensor).ToArray(); // each [B, C_l, H_l, W_l]
        var channels = f.Inputs.GetProperty("backbone_channels").EnumerateArray().Select(c => c.GetInt64()).ToArray();
        var body = new FixedFeatureBody(features);
        var position = new PositionEmbeddingSine(config.HiddenDim / 2, config.PeTemperatureH, normalize: true, temperatureW: config.PeTemperatureW);
        var joiner = new Joiner(body, channels, position);
        var model = new DINO(joiner, config);
        var weights = Path.Combine(Path.GetDirectoryName(f.Path)!, f.Inputs.GetProperty("state_dict_file").GetString()!);
        var result = model.load_state_dict(weights, strict: true);
        Assert.True(result.IsClean, result.ToString());
        if (p.GetProperty("train").GetBoolean()) model.train(); else model.eval();

        var mask = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("image_mask"));                 // [B, H, W]
        var images = torch.zeros(mask.size(0), 3, mask.size(1), mask.size(2));                       // ignored by the stub body
        return (model, new NestedTensor(images, mask));
    }

    /// <summary>
    /// The fixture's denoising queries: the noised labels are recovered as the label_enc rows the reference
    /// embedded (zero rows are padding slots), so gradients reach label_enc as in the reference.
    /// </summary>
    internal static DnQueries? InjectedDn(Fixture f, DINO model)
    {
        if (!f.Inputs.TryGetProperty("cdn", out var cdn) || cdn.ValueKind != JsonValueKind.Object) return null;
        var content = ModelFixtureTensors.ToTensor(cdn.GetProperty("input_query_label"));            // [B, pad, d]
        long b = content.size(0), pad = content.size(1), d = content.size(2);
        using var noGrad = torch.no_grad();
        var table = model.LabelEnc.weight.detach();                                                  // [K + 1, d]
        var distance = torch.cdist(content.reshape(b * pad, d), table);                              // [B·pad, K + 1]
        var index = distance.argmin(1);                                                             // [B·pad]
        var isZero = content.reshape(b * pad, d).abs().sum(1).eq(0);
        var labels = index.masked_fill(isZero, -1).view(b, pad);                                     // [B, pad]
        var rows = table.index_select(0, index).masked_fill(isZero.unsqueeze(-1), 0);                // [B·pad, d]
        var mismatch = rows.sub(content.reshape(b * pad, d)).abs().max().item<float>();
        Assert.True(mismatch == 0, $"{f.Name}: a dn query is neither a label_enc row nor padding (off by {mismatch})");
        return new DnQueries(labels, ModelFixtureTensors.ToTensor(cdn.GetProperty("input_query_bbox")),
            ModelFixtureTensors.ToTensor(cdn.GetProperty("attn_mask")), cdn.GetProperty("pad_size").GetInt64(), cdn.GetProperty("num_dn_group").GetInt64());
    }

    /// <summary>The output under the reference's flattened key ("aux_outputs.0.pred_boxes", "dn_meta.output_known_lbs_bboxes.pred_logits", ...).</summary>
    internal static Dictionary<string, Tensor> Flatten(DinoOutput output)
    {
        var map = new Dictionary<string, Tensor>();
        void Add(string prefix, DinoPredictions p)
        {
            map[prefix + "pred_logits"] = p.PredLogits;
            map[prefix + "pred_boxes"] = p.PredBoxes;
            for (int i = 0; i < p.AuxOutputs.Count; i++) Add($"{prefix}aux_outputs.{i}.", p.AuxOutputs[i]);
        }
        Add("", output.Main);
        map["interm_outputs.pred_logits"] = output.Interm.PredLogits;
        map["interm_outputs.pred_boxes"] = output.Interm.PredBoxes;
        map["interm_outputs_for_matching_pre.pred_logits"] = output.IntermForMatchingPre.PredLogits;
        map["interm_outputs_for_matching_pre.pred_boxes"] = output.IntermForMatchingPre.PredBoxes;
        if (output.Dn is { } dn) Add("dn_meta.output_known_lbs_bboxes.", dn.Known);
        return map;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsAndGradientsMatchReference(string name)
    {
        var f = Fixtures.Get("detr", name, "dino_forward");
        using var scope = torch.NewDisposeScope();
        var (model, samples) = Build(f);
        using var _ = model;
        var dn = InjectedDn(f, model);
        var output = model.call(samples, dn);
        var actual = Flatten(output);

        var expected = f.Expected.GetProperty("outputs").EnumerateObject().ToList();
        Assert.Equal(expected.Select(e => e.Name).OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var e in expected)
            ModelFixtureTensors.AssertClose($"{name}: {e.Name}", e.Value, actual[e.Name], f.Atol, f.Rtol);

        // gradients of Σ_key sum(output[key] × N(0, 1)), the weights drawn in sorted key order from seed + 99
        var keys = f.Expected.GetProperty("output_keys").EnumerateArray().Select(k => k.GetString()!).OrderBy(k => k, StringComparer.Ordinal).ToList();
        using var generator = new Generator(GradientSeed(f));
        Tensor? total = null;
        // (weights are drawn only for outputs that carry a gradient: the anchors of interm_outputs_for_matching_pre do not)
        foreach (var key in keys.Where(k => actual[k].requires_grad))
        {
            var weight = torch.randn(actual[key].shape, generator: generator);
            var term = actual[key].mul(weight).sum();
            total = total is null ? term : total.add(term);
        }
        total!.backward();
        var parameters = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        double gAtol = f.Tol("grad_atol", f.Atol), gRtol = f.Tol("grad_rtol", f.Rtol);
        foreach (var g in f.Expected.GetProperty("grad_params").EnumerateObject())
        {
            Assert.True(parameters.ContainsKey(g.Name), $"{name}: no parameter {g.Name}");
            var grad = parameters[g.Name].grad ?? torch.zeros_like(parameters[g.Name]);
            ModelFixtureTensors.AssertClose($"{name}: grad {g.Name}", g.Value, grad, gAtol, gRtol);
        }
    }

    /// <summary>
    /// The train case's denoising queries are what prepare_for_cdn drew under manual_seed(seed + 7): the same
    /// generator state gives the same noised labels (the label_enc rows) and boxes here.
    /// </summary>
    [Theory]
    [MemberData(nameof(DenoisingCases))]
    public void DenoisingQueriesAreTheReferenceDrawsOfTheSameSeed(string name)
    {
        var f = Fixtures.Get("detr", name, "dino_forward");
        var cdn = f.Inputs.GetProperty("cdn");
        using var scope = torch.NewDisposeScope();
        var (model, _) = Build(f);
        using var _m = model;
        var injected = InjectedDn(f, model)!;
        var targets = f.Inputs.GetProperty("targets").EnumerateArray()
            .Select(t => new DetectionTarget(ModelFixtureTensors.ToTensor(t.GetProperty("labels")), ModelFixtureTensors.ToTensor(t.GetProperty("boxes")))).ToList();
        var config = ConfigOf(f.Params);
        using var first = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("features")[0]);
        using var gen = new Generator(FixtureSeed.Of(f, first) + 7);
        var drawn = ContrastiveDenoising.Prepare(targets, config.DnNumber, config.DnLabelNoiseRatio, config.DnBoxNoiseScale, config.NumQueries, config.NumClasses, gen);
        Assert.Equal(injected.PadSize, drawn.PadSize);
        Assert.Equal(injected.NumDnGroup, drawn.NumDnGroup);
        Assert.True(torch.equal(injected.Labels, drawn.Labels), $"{name}: noised labels differ from the reference's draws");
        ModelFixtureTensors.AssertClose($"{name}: input_query_bbox", cdn.GetProperty("input_query_bbox"), drawn.BoxesUnsigmoid, 1e-5, 1e-5);
        ModelFixtureTensors.AssertEqual($"{name}: attn_mask", cdn.GetProperty("attn_mask"), drawn.AttnMask);
    }

    static long GradientSeed(Fixture f)
    {
        using var first = ModelFixtureTensors.ToTensor(f.Inputs.GetProperty("features")[0]);
        return FixtureSeed.Of(f, first) + 99;
    }
}
