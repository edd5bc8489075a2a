using DetrSharp.Detection.Families;
using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv8 / YOLOv10 behind the family contract. The batch's ImageNet-normalised images are mapped back to the
/// [0, 1] pixels ultralytics models take and padded (bottom/right) to a multiple of the largest stride; targets are
/// re-normalised to that padded size as the ultralytics loader gives them. Losses: v8DetectionLoss or v10DetectLoss
/// (their total, loss.sum() × batch, is the one weighted term; box/cls/dfl are logged). Decoding: class-aware NMS
/// (v8) or the one-to-one top-k (v10), boxes scaled back to each image's stored pixels.
/// </summary>
public sealed class YoloDetector : IDetector
{
    readonly YoloFamilyConfig _config;
    readonly V8DetectionLoss? _v8;
    readonly V10DetectLoss? _v10;
    // the gained items as logged terms (the console shows loss_* terms); the weighted total is the loss the reference back-propagates
    static readonly string[] ItemNames = ["loss_box", "loss_cls", "loss_dfl", "loss_box_o2o", "loss_cls_o2o", "loss_dfl_o2o"];

    public YoloDetector(string family, YoloModel model, YoloFamilyConfig config)
    {
        Family = family;
        Model = model;
        _config = config;
        var gains = new YoloLossGains(config.BoxGain, config.ClsGain, config.DflGain);
        if (model.IsEndToEnd) _v10 = new V10DetectLoss(model.NumClasses, model.Strides, model.RegMax, gains);
        else _v8 = new V8DetectionLoss(model.NumClasses, model.Strides, model.RegMax, gains, config.TalTopk);
    }

    public string Family { get; }
    public YoloModel Model { get; }
    public nn.Module Module => Model;
    public IReadOnlyDictionary<string, double> WeightDict { get; } = new Dictionary<string, double> { ["total"] = 1.0 };

    /// <summary>
    /// ultralytics' three groups in its order (build_optimizer): every parameter named "bias" (no decay, its own
    /// warm-up), the weights of normalisation layers (no decay), and the other weights (decay).
    /// </summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var bias = new List<(string, Tensor)>();
        var norm = new List<(string, Tensor)>();
        var decay = new List<(string, Tensor)>();
        foreach (var (moduleName, module) in Model.named_modules())
        {
            bool isNorm = module is BatchNorm2d or GroupNorm or LayerNorm or FrozenBatchNorm2d;
            foreach (var (paramName, p) in module.named_parameters(recurse: false))
            {
                if (!p.requires_grad) continue;
                var name = moduleName.Length == 0 ? paramName : $"{moduleName}.{paramName}";
                (name.Contains("bias", StringComparison.Ordinal) ? bias : isNorm ? norm : decay).Add((name, p));
            }
        }
        return
        [
            new ParameterGroup(ParameterRole.Bias, bias),
            new ParameterGroup(ParameterRole.Default, decay),
            new ParameterGroup(ParameterRole.NoDecay, norm),
        ];
    }

    /// <summary>
    /// ultralytics' freeze: the first N layers <c>model.0.</c> .. <c>model.{N-1}.</c>; the backbone is the YAML's backbone rows
    /// (freeze=10 for the shipped YOLOv8 and YOLOv10 definitions).
    /// </summary>
    public IReadOnlyList<string> FreezePrefixes(int? leadingModules)
    {
        int layers = Model.Config.Layers.Count;
        int n = leadingModules ?? Model.Config.BackboneLayers;
        if (n < 1 || n > layers)
            throw new ArgumentException(
                $"{Family}: --freeze N freezes the layers model.0 .. model.{{N-1}}: N must be 1..{layers}; got {n}");
        return Enumerable.Range(0, n).Select(i => $"model.{i}.").ToList();
    }

    public IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch)
    {
        var images = Prepare(batch.Images);                                       // [B, 3, H', W'] in [0, 1]
        long h = images.size(2), w = images.size(3);
        using var output = Model.forward(images);                                 // under the caller's autocast
        using var fp32 = Float32Region.Enter(images);
        var targets = Targets(batch, h, w);
        var one2Many = output.One2Many.Feats.Select(fp32.Cast).ToList();          // per level [B, 4 * reg_max + nc, H_l, W_l], float32
        var result = _v10 != null
            ? _v10.Compute(one2Many, output.One2One!.Feats.Select(fp32.Cast).ToList(), targets)
            : _v8!.Compute(one2Many, targets);
        var terms = new Dictionary<string, Tensor> { ["total"] = result.Total };
        for (int i = 0; i < result.Items.size(0); i++) terms[ItemNames[i]] = result.Items[i];
        return terms;
    }

    public IReadOnlyList<ImageDetections> Predict(DetectionBatch batch, float scoreThreshold = 0f)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var images = Prepare(batch.Images);
        using var output = Model.forward(images);
        var decoded = (_v10 != null ? output.One2One! : output.One2Many).Decoded
            ?? throw new InvalidOperationException("YOLO: the model returned no decoded boxes (call Predict in eval mode)");   // [B, 4 + nc, A] xywh
        double conf = Math.Max(scoreThreshold, _config.ConfThreshold);
        var list = new List<ImageDetections>(batch.Count);
        if (_v10 != null)
        {
            var (boxes, scores, labels) = V10PostProcess.Select(decoded.transpose(1, 2), _config.MaxDet, Model.NumClasses);  // [B, k, 4] xywh
            var xyxy = Boxes.BoxConvert.CxcywhToXyxy(boxes);
            for (int i = 0; i < batch.Count; i++)
                list.Add(ToImage(batch.Targets[i], xyxy[i], scores[i], labels[i], conf));
        }
        else
        {
            var kept = YoloNms.Apply(decoded, new NmsOptions
            {
                ConfThres = conf, IouThres = _config.IouThreshold, Agnostic = _config.Agnostic, MaxDet = _config.MaxDet, NumClasses = (int)Model.NumClasses,
            });
            for (int i = 0; i < batch.Count; i++)
                list.Add(ToImage(batch.Targets[i], kept[i].narrow(1, 0, 4), kept[i].select(1, 4), kept[i].select(1, 5), conf));   // [k, 6]
        }
        return list;
    }

    // boxes [k, 4] xyxy in input pixels, scores [k], labels [k] → the image's stored pixels (letterbox padding undone), clipped to it
    static ImageDetections ToImage(DetectionTarget t, Tensor boxes, Tensor scores, Tensor labels, double conf)
    {
        var (sx, sy, dx, dy) = t.ToStoredPixels();
        float maxX = t.OriginalSize.Width > 0 ? t.OriginalSize.Width : float.MaxValue, maxY = t.OriginalSize.Height > 0 ? t.OriginalSize.Height : float.MaxValue;
        using var scope = torch.NewDisposeScope();
        var shift = torch.tensor(new[] { dx, dy, dx, dy }, [1, 4], device: boxes.device);                  // [1, 4]
        var scale = torch.tensor(new[] { sx, sy, sx, sy }, [1, 4], device: boxes.device);                  // [1, 4]
        var limit = torch.tensor(new[] { maxX, maxY, maxX, maxY }, [1, 4], device: boxes.device);          // [1, 4]
        var pixels = ((boxes.to(ScalarType.Float32) - shift) * scale).clamp(torch.zeros_like(limit), limit);   // [k, 4]
        return ImageDetections.From(t.ImageId, scores, labels, pixels, conf);
    }

    /// <summary>[B, 3, H, W] normalised → [B, 3, H', W'] in [0, 1], padded to a multiple of the largest stride.</summary>
    Tensor Prepare(Tensor images)
    {
        var mean = torch.tensor(DetectionBatch.PixelMean, [1, 3, 1, 1], device: images.device);
        var std = torch.tensor(DetectionBatch.PixelStd, [1, 3, 1, 1], device: images.device);
        var pixels = images * std + mean;                                          // [B, 3, H, W]
        long stride = (long)Model.Strides.Max();
        long h = images.size(2), w = images.size(3);
        long padH = (stride - h % stride) % stride, padW = (stride - w % stride) % stride;
        return padH == 0 && padW == 0 ? pixels : nn.functional.pad(pixels, [0, padW, 0, padH]);
    }

    /// <summary>The batch's targets as the ultralytics loader gives them: one row per box, cxcywh normalised to the padded input.</summary>
    static YoloTargets Targets(DetectionBatch batch, long height, long width)
    {
        var idx = new List<Tensor>();
        var cls = new List<Tensor>();
        var boxes = new List<Tensor>();
        var device = batch.Images.device;
        for (int i = 0; i < batch.Count; i++)
        {
            var t = batch.Targets[i];
            if (t.Count == 0) continue;
            float fx = (float)t.Size.Width / width, fy = (float)t.Size.Height / height;
            var scale = torch.tensor(new[] { fx, fy, fx, fy }, [1, 4], device: device);
            boxes.Add(t.Boxes.to(ScalarType.Float32) * scale);                     // [n, 4]
            cls.Add(t.Labels.to(ScalarType.Float32));                              // [n]
            idx.Add(torch.ones([t.Count], ScalarType.Float32, device) * i);          // [n]
        }
        if (boxes.Count == 0)
            return new YoloTargets(torch.zeros([0], ScalarType.Float32, device), torch.zeros([0, 1], ScalarType.Float32, device), torch.zeros([0, 4], ScalarType.Float32, device));
        return new YoloTargets(torch.cat(idx.ToArray(), 0), torch.cat(cls.ToArray(), 0).unsqueeze(1), torch.cat(boxes.ToArray(), 0));
    }

    public void Dispose() => Model.Dispose();
}
