using DetrSharp.Detection.Configuration;
using DetrSharp.Detection.Detr;
using DetrSharp.Detection.Families;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>The one run configuration: sections, defaults, validation messages, overrides and the flat layout of earlier versions.</summary>
public class RunConfigTests
{
    static ConfigException Fails(Func<object> action) => Assert.Throws<ConfigException>(() => action());

    [Fact]
    public void TheDefaultsRoundTripThroughJson()
    {
        var json = new RunConfig().ToJson();
        var back = RunConfig.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.IsType<DetrConfig>(back.Model);
        foreach (var section in RunConfig.Sections) Assert.Contains($"\"{section}\"", json);
        Assert.Contains("\"name\": \"detr\"", json);
    }

    [Fact]
    public void SettingsApplyBySectionAndKey()
    {
        var c = new RunConfig().With([("model.num_queries", "50"), ("optim.ema", "0.999"), ("schedule.lr_schedule", "step"), ("model.position_embedding", "learned")]);
        var m = Assert.IsType<DetrConfig>(c.Model);
        Assert.Equal(50, m.NumQueries);
        Assert.Equal(PositionEmbeddingKind.Learned, m.PositionEmbedding);
        Assert.Equal(0.999, c.Optim.Ema);
        Assert.Equal(LrScheduleKind.Step, c.Schedule.LrSchedule);
        Assert.Equal(c.ToJson(), RunConfig.FromJson(c.ToJson()).ToJson());
    }

    [Fact]
    public void NheadsThatDoNotDivideTheWidthNameBothKeys()
    {
        var e = Fails(() => new RunConfig().With([("model.nheads", "0")]));
        Assert.Equal("model.nheads must divide model.hidden_dim: 128 % 0", e.Message);
    }

    [Fact]
    public void AnUnknownEnumValueListsTheValidOnes()
    {
        var e = Fails(() => new RunConfig().With([("model.position_embedding", "cosine")]));
        Assert.Contains("model.position_embedding must be one of sine, learned", e.Message);
        // linear became a schedule with the YOLO recipe (ultralytics' default)
        e = Fails(() => new RunConfig().With([("schedule.lr_schedule", "exponential")]));
        Assert.Contains("schedule.lr_schedule must be one of cosine, step, linear", e.Message);
        e = Fails(() => new RunConfig().With([("model.matcher", "greedy")]));
        Assert.Contains("hungarian, mmdet", e.Message);
    }

    [Fact]
    public void UnknownKeysAreErrorsThatListTheValidOnes()
    {
        var e = Fails(() => new RunConfig().With([("model.num_querys", "5")]));
        Assert.Contains("unknown key model.num_querys", e.Message);
        Assert.Contains("num_queries", e.Message);
        e = Fails(() => new RunConfig().With([("num_queries", "5")]));
        Assert.Contains("did you mean model.num_queries", e.Message);
        e = Fails(() => RunConfig.FromJson("""{"optim": {"lr": 1e-4, "momentum": 0.9}}"""));
        Assert.Contains("unknown key optim.momentum", e.Message);
        e = Fails(() => RunConfig.FromJson("""{"trainer": {}}"""));
        Assert.Contains("unknown section \"trainer\"", e.Message);
    }

    [Fact]
    public void BadValuesAreReportedInTheProjectsWords()
    {
        var e = Fails(() => new RunConfig().With([("data.batch_size", "\"eight\"")]));
        Assert.Equal("data.batch_size must be a whole number; got \"eight\"", e.Message);
        e = Fails(() => new RunConfig().With([("optim.lr", "NaN")]));
        Assert.Contains("optim.lr must be in (0, 1)", e.Message);
        e = Fails(() => new RunConfig().With([("schedule.time_limit_minutes", "-1")]));
        Assert.Contains("schedule.time_limit_minutes", e.Message);
        e = Fails(() => new RunConfig().With([("runtime.threads", "100000")]));
        Assert.Contains("runtime.threads must be in [0,", e.Message);
        e = Fails(() => new RunConfig().With([("runtime.device", "tpu")]));
        Assert.Contains("runtime.device must be cpu, cuda or cuda:N", e.Message);
    }

    [Fact]
    public void UnknownFamiliesListTheBuiltOnes()
    {
        var e = Fails(() => RunConfig.ForModel("rcnn"));
        Assert.Contains("model.name must be one of detr, dino, yolov8, yolov10", e.Message);
        Assert.Contains("\"rcnn\"", e.Message);
        e = Fails(() => new RunConfig().With([("model.name", "rcnn")]));
        Assert.Contains("model.name must be one of detr", e.Message);
        Assert.Empty(DetectorRegistry.Planned.Keys.Intersect(DetectorRegistry.Names));
    }

    [Fact]
    public void SelectingDinoTakesItsCpuDefaultsAndRecipe()
    {
        var c = RunConfig.ForModel("dino").With([("model.num_queries", "50"), ("model.return_interm_indices", "[2, 3]"), ("model.num_feature_levels", "2")]);
        var m = Assert.IsType<DetrSharp.Detection.Dino.DinoConfig>(c.Model);
        Assert.Equal(50, m.NumQueries);
        Assert.Equal(new[] { 2, 3 }, m.ReturnInterimIndices);
        Assert.Equal("resnet18", m.Backbone);
        Assert.Equal(ResNetNorm.BatchNorm, m.BackboneNorm);
        Assert.Equal(0.1, c.Optim.ClipMaxNorm);
        var e = Fails(() => RunConfig.ForModel("dino").With([("model.hidden_dim", "129"), ("model.nheads", "3")]));
        Assert.Contains("model.hidden_dim must be positive and even", e.Message);
        e = Fails(() => RunConfig.ForModel("dino").With([("model.num_feature_levels", "2")]));
        Assert.Contains("model.num_feature_levels (2)", e.Message);
        e = Fails(() => RunConfig.ForModel("dino").With([("model.return_interm_indices", "[3, 1]")]));
        Assert.Contains("model.return_interm_indices", e.Message);
    }

    [Fact]
    public void SelectingAFamilyTakesItsModelDefaultsAndRecipe()
    {
        var c = new RunConfig().With([("model.name", "yolov10"), ("model.scale", "s"), ("optim.lr", "0.001")]);
        var m = Assert.IsType<DetrSharp.Detection.Yolo.YoloV10Config>(c.Model);
        Assert.Equal("yolov10s", m.ModelName);
        Assert.Equal(0.001, c.Optim.Lr);             // the user's setting wins over the recipe
        Assert.Equal(0.0005, c.Optim.WeightDecay);   // the family's recipe
        Assert.Equal(16, c.Data.BatchSize);
        Assert.Equal(c.ToJson(), RunConfig.FromJson(c.ToJson()).ToJson());
        var e = Fails(() => c.With([("model.num_queries", "5")]));
        Assert.Contains("unknown key model.num_queries", e.Message);
        e = Fails(() => c.With([("model.scale", "q")]));
        Assert.Contains("model.scale must be one of n, s, m, b, l, x", e.Message);
    }

    [Fact]
    public void CudaWithoutCudaIsAnErrorSayingSo()
    {
        if (torch.cuda.is_available()) return; // this libtorch has CUDA: nothing to refuse
        var c = new RunConfig().With([("runtime.device", "\"cuda\"")]);
        var e = Assert.Throws<ConfigException>(() => c.Runtime.CheckDeviceAvailable());
        Assert.Contains("no CUDA", e.Message);
        Assert.Throws<ConfigException>(() => DetectorFactory.Build(c, 3));
    }

    /// <summary>The config of a checkpoint written before the sections existed (every key of that version).</summary>
    const string FlatConfig = """
    {
      "data": null, "synth_train": 1000, "synth_val": 200, "synth_size": 128, "train_scales": [112, 120, 128, 136, 144],
      "max_size": 224, "crop_resize": [112, 128], "crop_min": 96, "crop_max": 128, "val_size": 128, "skip_bad_samples": false,
      "epochs": 40, "batch_size": 8, "lr": 0.0002, "lr_backbone": 0.0002, "weight_decay": 0.0001, "clip_max_norm": 0.1,
      "warmup_steps": 100, "lr_schedule": "cosine", "lr_drop": 200, "ema": 0, "max_steps": 0, "time_limit_minutes": 15,
      "backbone": "resnet18", "trainable_batch_norm": false, "dilation": false, "freeze_stem": true, "backbone_stages": 3,
      "hidden_dim": 96, "nheads": 8, "enc_layers": 2, "dec_layers": 3, "dim_feedforward": 512, "dropout": 0, "num_queries": 30,
      "pre_norm": false, "anchor_boxes": false, "aux_loss": true, "position_embedding": "sine", "init_from": null,
      "set_cost_class": 2, "set_cost_bbox": 5, "set_cost_giou": 2, "ce_loss_coef": 4, "bbox_loss_coef": 5, "giou_loss_coef": 2,
      "eos_coef": 0.1, "topk_detections": 100, "seed": 7, "threads": 0, "workers": 0, "eval_every": 10, "log_every": 10,
      "checkpoint_every": 0, "device": "cpu"
    }
    """;

    [Fact]
    public void TheFlatLayoutOfEarlierVersionsMapsToSections()
    {
        var c = RunConfig.FromJson(FlatConfig);
        var m = Assert.IsType<DetrConfig>(c.Model);
        Assert.Equal(96, m.HiddenDim);
        Assert.Equal(ResNetNorm.Frozen, m.BackboneNorm);
        Assert.Equal(7, c.Runtime.Seed);
        Assert.Equal(10, c.Eval.Every);
        Assert.Equal(8, c.Data.BatchSize);
        Assert.Equal(40, c.Schedule.Epochs);
        var e = Fails(() => RunConfig.FromJson("""{"epochs": 3, "frobnicate": 1}"""));
        Assert.Contains("frobnicate", e.Message);
    }
}
