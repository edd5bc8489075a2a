using DetrSharp.Detection.Detr;
using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// A checkpoint whose config is of the flat layout written before the sections existed still loads for eval and
/// predict, and resumes: the keys are mapped once (LegacyConfig) and the model is rebuilt with the settings it was trained with.
/// </summary>
[Collection(SerialTraining.Name)]
public class LegacyCheckpointTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public LegacyCheckpointTests(TinyData data) => _data = data;

    [Fact]
    public void AFlatConfigCheckpointLoadsAndResumes()
    {
        var cfg = TinyData.With(TinyData.Config(_data.Root), ("schedule.max_steps", 2));
        var dir = Path.Combine(_data.Root, "legacy");
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        using (var det = DetectorFactory.Build(cfg, data.ClassNames.Count))
        using (var trainer = new Trainer(det, data, cfg, dir))
            Assert.Null(trainer.Run(stopAfterStep: 1));

        // rewrite the checkpoint's config as the previous version wrote it: one flat object
        var path = Path.Combine(dir, Checkpoint.FileName);
        var m = (DetrConfig)cfg.Model;
        var flat = $$"""
        {"data": "{{_data.Root}}", "batch_size": 4, "lr": 0.0003, "lr_backbone": 0.0003, "epochs": 2, "warmup_steps": 5,
         "train_scales": [96], "crop_resize": [96], "crop_min": 72, "crop_max": 96, "val_size": 96, "max_size": 128,
         "hidden_dim": {{m.HiddenDim}}, "nheads": {{m.NHeads}}, "enc_layers": 1, "dec_layers": 2, "dim_feedforward": 64,
         "num_queries": 8, "trainable_batch_norm": true, "eval_every": 0, "log_every": 1, "workers": 2, "seed": 5,
         "time_limit_minutes": 0, "max_steps": 2}
        """;
        var root = torch.load(path) as PickleDict ?? throw new InvalidDataException("not a dict");
        try
        {
            root["config"] = flat;
            torch.save(root, path);
        }
        finally { CheckpointTree.DisposeTensors(root); }

        using var trained = TrainedDetector.Load(path);
        Assert.Equal(cfg.Model, trained.Config.Model);
        Assert.Equal(cfg.Data.Path, trained.Config.Data.Path);
        Assert.Equal(1, trained.Progress.Step);

        // and the run resumes from it
        using var resumed = DetectorFactory.Build(trained.Config, data.ClassNames.Count);
        using var again = new Trainer(resumed, data, trained.Config, dir);
        again.Resume();
        again.Run();
        Assert.Equal(2, again.Progress.Step);
    }
}
