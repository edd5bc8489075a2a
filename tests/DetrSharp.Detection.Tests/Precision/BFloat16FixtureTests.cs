using DetrSharp.Detection.Families;
using DetrSharp.Detection.Losses;
using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Detection.Tests.Yolo;
using DetrSharp.Detection.Yolo;
using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit.Abstractions;

namespace DetrSharp.Detection.Tests.Precision;

/// <summary>
/// bf16 against float32 on the fixtures' inputs: what runtime.precision bf16 changes is the forward's arithmetic, and
/// the losses and matching (in float32 behind <see cref="Float32Region"/>) must not turn that rounding into other
/// matches. DETR: the criterion fixture's predictions as a bf16 forward hands them over (rounded to bfloat16, read in
/// float32 under autocast) give the fixture's Hungarian indices in every layer exactly, and every loss within 2% + 2e-3
/// of the float32 result (bfloat16 keeps 8 significant bits: a box coordinate near 0.5 moves by up to 0.001, which
/// moves the fixture's GIoU loss by 1.8%). YOLO: YOLOv8n with the forward fixture's weights on its images, its train-mode forward under
/// bf16 autocast, gives the v8 loss (targets of the nc-5 loss fixture) within 1% per term (measured: 0.4% at most) and
/// the task-aligned assigner the same foreground anchors and ground-truth indices for at least 90% of the float32
/// foreground (measured: 28 of 30; these weights are untrained, so the 10th and 11th candidates of a box's top-k can
/// differ by less than bfloat16's rounding).
/// </summary>
public class BFloat16FixtureTests(ITestOutputHelper output)
{
    static Tensor AsBf16Forward(Tensor t) => t.to(ScalarType.BFloat16);

    [Fact]
    public void DetrCriterionOnBf16PredictionsKeepsTheFixturesMatchesAndLosses()
    {
        var f = FixtureData.Get("detr/detr_criterion_01.json");
        var p = f.Params;
        using var scope = torch.NewDisposeScope();
        var m = p.GetProperty("matcher");
        var criterion = new SetCriterion(p.GetProperty("num_classes").GetInt32(),
            new HungarianMatcher(m.GetProperty("cost_class").GetDouble(), m.GetProperty("cost_bbox").GetDouble(), m.GetProperty("cost_giou").GetDouble()),
            p.GetProperty("weight_dict").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble()), p.GetProperty("eos_coef").GetDouble(),
            [CriterionLoss.Labels, CriterionLoss.Boxes, CriterionLoss.Cardinality]);
        var targets = FixtureData.Targets(f.Inputs.GetProperty("targets"));
        DetectionOutput Outputs(Func<Tensor, Tensor> map) => new(
            map(FixtureData.Tensor(f.Inputs.GetProperty("pred_logits"))), map(FixtureData.Tensor(f.Inputs.GetProperty("pred_boxes"))),
            auxOutputs: f.Inputs.GetProperty("aux_outputs").EnumerateArray()
                .Select(a => new DetectionOutput(map(FixtureData.Tensor(a.GetProperty("pred_logits"))), map(FixtureData.Tensor(a.GetProperty("pred_boxes"))))).ToList());

        var full = criterion.Compute(Outputs(t => t), targets);
        var bf16 = Outputs(AsBf16Forward);                                  // [B, Q, C + 1] / [B, Q, 4] in bfloat16
        Assert.Equal(ScalarType.BFloat16, bf16.PredLogits.dtype);
        CriterionResult mixed;
        using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            using var fp32 = Float32Region.Enter(bf16.PredLogits);
            mixed = criterion.Compute(new DetectionOutput(fp32.Cast(bf16.PredLogits), fp32.Cast(bf16.PredBoxes),
                auxOutputs: bf16.AuxOutputs!.Select(a => new DetectionOutput(fp32.Cast(a.PredLogits), fp32.Cast(a.PredBoxes))).ToList()), targets);
        }

        var e = f.Expected;
        FixtureData.AssertIndices("bf16 indices", e.GetProperty("indices"), mixed.Indices);
        var aux = e.GetProperty("aux_indices").EnumerateArray().ToList();
        for (int i = 0; i < aux.Count; i++) FixtureData.AssertIndices($"bf16 aux_indices[{i}]", aux[i], mixed.AuxIndices[i]);
        foreach (var (key, value) in full.Losses)
        {
            double a = value.ToDouble(), b = mixed.Losses[key].ToDouble();
            Assert.Equal(ScalarType.Float32, mixed.Losses[key].dtype);
            output.WriteLine($"{key}: fp32 {a:G6} bf16 {b:G6}");
            Assert.True(Math.Abs(b - a) <= 0.02 * Math.Abs(a) + 2e-3, $"{key}: bf16 {b} against fp32 {a}");
        }
    }

    [Fact]
    public void Yolov8Bf16ForwardGivesFloat32sLossAndAssignment()
    {
        var fwd = YoloFixtureData.Get("yolo/yolo_forward_yolov8n.json");
        var lossFixture = YoloFixtureData.Get("yolo/v8_loss_nc5_64x64_bs4.json");
        using var scope = torch.NewDisposeScope();
        using var model = YoloModel.Build("yolov8n", fwd.Params.GetProperty("nc").GetInt64());
        model.load_state_dict(Path.Combine(Path.GetDirectoryName(fwd.Path)!, fwd.Inputs.GetProperty("state_dict_file").GetString()!), strict: true);
        var images = FixtureData.Tensor(fwd.Inputs.GetProperty("images"));                       // [2, 3, 64, 96]
        long batch = images.size(0), height = images.size(2), width = images.size(3);
        // the loss fixture's targets of images 0 and 1 (normalised xywh), on these images
        var all = YoloV8LossFixtureTests.Targets(lossFixture.Inputs.GetProperty("batch"));
        var keep = all.BatchIdx.lt(batch).nonzero().flatten();
        var targets = new YoloTargets(all.BatchIdx.index_select(0, keep), all.Cls.index_select(0, keep), all.Bboxes.index_select(0, keep));
        model.train();

        Tensor[] Feats(bool bf16)
        {
            using var autocast = bf16 ? torch.autocast(DeviceType.CPU, ScalarType.BFloat16) : null;
            using var output = model.forward(images);
            return output.One2Many.Feats.Select(t => t.detach().clone()).ToArray();                // each [B, 4 * 16 + nc, h, w]
        }
        var full = Feats(bf16: false);
        var half = Feats(bf16: true);
        Assert.Equal(ScalarType.BFloat16, half[0].dtype);

        var loss = YoloV8LossFixtureTests.NewLoss(lossFixture, 10);
        var a = loss.Compute(full, targets).Items.data<float>().ToArray();
        var b = loss.Compute(half, targets).Items.data<float>().ToArray();
        output.WriteLine($"loss items (box, cls, dfl): fp32 {string.Join(" ", a)} bf16 {string.Join(" ", b)}");
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(b[i] - a[i]) <= 0.01 * Math.Abs(a[i]) + 1e-4, $"loss item {i}: bf16 {b[i]} against fp32 {a[i]}");

        var (fg32, gt32) = Assign(full, targets, batch, height, width);
        var (fg16, gt16) = Assign(half, targets, batch, height, width);
        int foreground = fg32.Count(x => x), agree = 0, extra = 0;
        for (int i = 0; i < fg32.Length; i++)
        {
            if (fg32[i] && fg16[i] && gt32[i] == gt16[i]) agree++;
            if (fg16[i] && !fg32[i]) extra++;
        }
        output.WriteLine($"foreground anchors: fp32 {foreground}, bf16 {fg16.Count(x => x)}, agreeing {agree}, bf16 only {extra}");
        Assert.True(foreground > 0);
        Assert.True(agree >= 0.9 * foreground && extra <= 0.1 * foreground,
            $"the assignment under bf16 differs: {agree} of {foreground} foreground anchors agree, {extra} more");
    }

    // TaskAlignedAssigner (topk 10, alpha 0.5, beta 6, v8DetectionLoss's) on the decoded predictions, as float32: the
    // foreground mask and assigned ground-truth index per anchor, flattened over the batch
    static (bool[] Fg, long[] Gt) Assign(Tensor[] feats, YoloTargets targets, long batch, long height, long width)
    {
        using var scope = torch.NewDisposeScope();
        double[] strides = [8, 16, 32];
        var fp32 = feats.Select(t => t.to(ScalarType.Float32)).ToArray();
        var decoded = YoloBoxDecoder.Inference(fp32, strides, 5);                                // [B, 4 + nc, A]: xywh px, scores
        var xywh = decoded.slice(1, 0, 4).transpose(1, 2);                                      // [B, A, 4]
        var scores = decoded.slice(1, 4, 9).transpose(1, 2).contiguous();                       // [B, A, nc]
        var xy = xywh.slice(-1, 0, 2);
        var half = xywh.slice(-1, 2, 4) / 2;
        var pdBoxes = torch.cat([xy - half, xy + half], -1);                                     // [B, A, 4] xyxy px
        var (anchors, strideTensor) = YoloAnchors.MakeAnchors(fp32, strides);
        var ancPixels = anchors * strideTensor;                                                  // [A, 2]
        long most = Enumerable.Range(0, (int)batch).Max(i => targets.BatchIdx.eq(i).sum().item<long>());
        var gtLabels = torch.zeros([batch, most, 1]);
        var gtBoxes = torch.zeros([batch, most, 4]);
        var maskGt = torch.zeros([batch, most, 1]);
        var scale = torch.tensor(new float[] { width, height, width, height });
        for (int i = 0; i < batch; i++)
        {
            var rows = targets.BatchIdx.eq(i).nonzero().flatten();
            long n = rows.size(0);
            if (n == 0) continue;
            var box = targets.Bboxes.index_select(0, rows) * scale;                              // [n, 4] xywh px
            var c = box.slice(-1, 0, 2);
            var h = box.slice(-1, 2, 4) / 2;
            gtBoxes[i, 0..(int)n] = torch.cat([c - h, c + h], -1);
            gtLabels[i, 0..(int)n] = targets.Cls.index_select(0, rows);
            maskGt[i, 0..(int)n] = torch.ones([n, 1]);
        }
        var r = new TaskAlignedAssigner(10, 5, alpha: 0.5, beta: 6.0).Forward(scores, pdBoxes, ancPixels, gtLabels, gtBoxes, maskGt);
        return (r.FgMask.flatten().to(ScalarType.Bool).data<bool>().ToArray(), r.TargetGtIdx.flatten().to(ScalarType.Int64).data<long>().ToArray());
    }
}
