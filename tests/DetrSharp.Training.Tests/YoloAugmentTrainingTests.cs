using DetrSharp.Data.Transforms;
using DetrSharp.Detection.Configuration;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>
/// The YOLO families train and validate with ultralytics' augmentation (data.augment = yolo from their recipe): the
/// settings are checked, a short run takes its steps through mosaic and then without it (close_mosaic), and validation
/// and prediction letterbox to data.img_size with boxes back in the stored pixels.
/// </summary>
[Collection(SerialTraining.Name)]
public class YoloAugmentTrainingTests : IClassFixture<TinyData>
{
    readonly TinyData _data;
    public YoloAugmentTrainingTests(TinyData data) => _data = data;

    [Fact]
    public void TheYoloFamiliesChooseTheYoloPipelineAndItsSettingsAreChecked()
    {
        Assert.Equal(AugmentKind.Yolo, RunConfig.ForModel("yolov10").Data.Augment);
        Assert.Equal(AugmentKind.Yolo, RunConfig.ForModel("yolov8").Data.Augment);
        Assert.Equal(AugmentKind.Detr, RunConfig.ForModel("detr").Data.Augment);
        Assert.Equal(AugmentKind.Detr, RunConfig.ForModel("dino").Data.Augment);
        var c = RunConfig.ForModel("yolov10");
        Assert.Equal(1.0, c.Data.Mosaic);
        Assert.Equal(10, c.Data.CloseMosaic);
        Assert.IsType<LetterBox>(RunTransforms.Val(c.Data));
        Assert.IsNotType<LetterBox>(RunTransforms.Val(RunConfig.ForModel("detr").Data));
        var o = c.With([("data.mixup", "0.2"), ("data.degrees", "5"), ("data.hsv_h", "0.02"), ("data.fliplr", "0"), ("data.img_size", "320")]).Data.YoloAugment;
        Assert.Equal((0.2, 5.0, 0.02, 0.0, 320), (o.MixUp, o.Degrees, o.HsvH, o.FlipLR, o.ImgSize));
        Assert.Contains("data.img_size must be a positive multiple of 32", Fails(c, "data.img_size", "100"));
        Assert.Contains("data.mosaic must be in [0, 1]", Fails(c, "data.mosaic", "1.5"));
        Assert.Contains("data.hsv_s must be in [0, 1]", Fails(c, "data.hsv_s", "-0.1"));
        Assert.Contains("data.scale must be in [0, 1)", Fails(c, "data.scale", "1"));
        Assert.Contains("data.close_mosaic must be 0 or more", Fails(c, "data.close_mosaic", "-1"));
        Assert.Contains("data.augment", Fails(c, "data.augment", "\"mmdet\""));
        Assert.Contains("data.augment yolo is for the YOLO families", Fails(RunConfig.ForModel("detr"), "data.augment", "\"yolo\""));
        Assert.Equal(AugmentKind.Detr, c.With([("data.augment", "\"detr\"")]).Data.Augment);   // a YOLO model may keep DETR's pipeline
    }

    static string Fails(RunConfig c, string key, string value) => Assert.Throws<ConfigException>(() => c.With([(key, value)])).Message;

    [Fact]
    public void AYoloRunTakesStepsThroughMosaicAndAfterItAndPredictsInStoredPixels()
    {
        var tiny = TinyData.Config(_data.Root);
        var cfg = TinyData.With(tiny.With([("model.name", "yolov10")]) with { Runtime = tiny.Runtime },
            ("data.path", _data.Root), ("data.batch_size", 4), ("data.img_size", 64), ("data.mixup", 0.5), ("data.close_mosaic", 1),
            ("schedule.epochs", 2), ("schedule.max_steps", 0), ("schedule.warmup_steps", 2), ("schedule.time_limit_minutes", 0), ("eval.every", 0));
        Assert.Equal(AugmentKind.Yolo, cfg.Data.Augment);
        torch.manual_seed(cfg.Runtime.Seed);
        var data = TrainingData.Open(_data.Root, cfg);
        // the training batches are img_size squares in both epochs (mosaic in the first, letterbox in the second)
        foreach (int epoch in new[] { 0, 1 })
        {
            using var first = data.TrainLoader.Epoch(epoch).First();
            Assert.Equal(new long[] { 4, 3, 64, 64 }, first.Images.shape);
        }
        using var det = DetectorFactory.Build(cfg, data.ClassNames.Count);
        var dir = Path.Combine(_data.Root, "yolo-augment");
        using (var trainer = new Trainer(det, data, cfg, dir))
        {
            var result = trainer.Run();
            Assert.Equal(2 * data.TrainLoader.BatchesPerEpoch, trainer.Progress.Step);
            Assert.All(trainer.LossCurve, p => Assert.True(double.IsFinite(p.loss)));
            Assert.NotNull(result);
        }
        // validation letterboxes the 96 px images to 64 and records where they lie
        using (var val = data.ValLoader.Epoch(0).First())
        {
            Assert.Equal(64, val.Images.size(2));
            Assert.All(val.Targets, t => Assert.Equal((0, 0, 64, 64), t.Content));
            Assert.All(val.Targets, t => Assert.Equal((96, 96), t.OriginalSize));
        }
        // prediction through the checkpoint: an image of another shape comes back in its own pixels
        using var trained = TrainedDetector.Load(Path.Combine(dir, Checkpoint.FileName));
        var image = new DetrSharp.Data.Imaging.RgbImage(150, 60);
        Array.Fill(image.Pixels, (byte)90);
        var found = trained.Predict(image, 0f);
        var b = found.BoxesXyxy;
        Assert.NotEmpty(b);   // threshold 0: the untrained model's top-k
        for (int i = 0; i < b.Length; i += 4)
            Assert.True(b[i] >= 0 && b[i + 1] >= 0 && b[i + 2] <= 150 && b[i + 3] <= 60 && b[i] <= b[i + 2] && b[i + 1] <= b[i + 3],
                $"box ({b[i]}, {b[i + 1]}, {b[i + 2]}, {b[i + 3]}) is not inside the 150 x 60 image");
    }
}
