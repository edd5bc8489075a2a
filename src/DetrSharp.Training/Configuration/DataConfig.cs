using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>Which augmentation pipeline a run trains and validates with (the family's recipe picks it).</summary>
public enum AugmentKind
{
    /// <summary>DETR's: flip, multi-scale resize or resize-crop-resize; validation resizes the shorter side to val_size.</summary>
    Detr,
    /// <summary>ultralytics': mosaic, random perspective, mixup, HSV, flip at img_size; validation letterboxes to img_size.</summary>
    Yolo,
}

/// <summary>The <c>data</c> section: where the images come from, how they are augmented and batched.</summary>
public sealed record DataConfig
{
    /// <summary>
    /// A COCO folder (annotations/instances_{train,val}[2017].json + image folders), a YOLO data.yaml, or a folder
    /// holding data.yaml (<see cref="DatasetSource"/>); null = the built-in synthetic set.
    /// </summary>
    public string? Path { get; init; }
    /// <summary>Images of the synthetic set (when <see cref="Path"/> is null).</summary>
    public int SynthTrain { get; init; } = 1000;
    public int SynthVal { get; init; } = 200;
    public int SynthSize { get; init; } = 128;
    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Shorter-side sizes for multi-scale training.</summary>
    public int[] TrainScales { get; init; } = [112, 120, 128, 136, 144];
    public int MaxSize { get; init; } = 224;
    /// <summary>The crop path of DETR's recipe: resize to one of these, crop to [crop_min, crop_max], resize again.</summary>
    public int[] CropResize { get; init; } = [112, 128];
    public int CropMin { get; init; } = 96;
    public int CropMax { get; init; } = 128;
    public int ValSize { get; init; } = 128;
    /// <summary>Skip and report unreadable samples instead of stopping.</summary>
    public bool SkipBadSamples { get; init; }
    /// <summary>With skip_bad_samples, the share of the training images that may be skipped before the run stops (every one never).</summary>
    public double MaxSkippedFraction { get; init; } = 0.01;
    /// <summary>Images whose header claims more pixels than this are refused before decoding (Pillow's limit by default).</summary>
    public long MaxImagePixels { get; init; } = DetrSharp.Data.Imaging.ImageLimits.DefaultMaxPixels;
    /// <summary>Corrupt JPEG data that libjpeg-turbo decodes with a warning is an error instead of a reported warning.</summary>
    public bool Strict { get; init; }

    /// <summary>The augmentation pipeline: detr or yolo (YOLO families choose yolo).</summary>
    public AugmentKind Augment { get; init; } = AugmentKind.Detr;
    /// <summary>yolo: the square training and validation size (letterbox), a multiple of 32 (the models' largest stride); ultralytics' default is 640.</summary>
    public int ImgSize { get; init; } = 128;
    /// <summary>yolo: probability of a 2×2 mosaic.</summary>
    public double Mosaic { get; init; } = 1.0;
    /// <summary>yolo: probability of mixup with a second image (Beta(32, 32) ratio).</summary>
    public double Mixup { get; init; }
    /// <summary>yolo: random perspective: rotation ± degrees, translation ± fraction, scale gain ±, shear ± degrees, perspective ±.</summary>
    public double Degrees { get; init; }
    public double Translate { get; init; } = 0.1;
    public double Scale { get; init; } = 0.5;
    public double Shear { get; init; }
    public double Perspective { get; init; }
    /// <summary>yolo: HSV gains (hue, saturation, value fractions).</summary>
    public double HsvH { get; init; } = 0.015;
    public double HsvS { get; init; } = 0.7;
    public double HsvV { get; init; } = 0.4;
    /// <summary>yolo: probability of a left-right flip.</summary>
    public double Fliplr { get; init; } = 0.5;
    /// <summary>yolo: mosaic and mixup off for the last this many epochs.</summary>
    public int CloseMosaic { get; init; } = 10;

    /// <summary>The yolo pipeline's settings.</summary>
    public DetrSharp.Data.Transforms.YoloAugmentOptions YoloAugment => new()
    {
        ImgSize = ImgSize, Mosaic = Mosaic, MixUp = Mixup, Degrees = Degrees, Translate = Translate, Scale = Scale, Shear = Shear,
        Perspective = Perspective, HsvH = HsvH, HsvS = HsvS, HsvV = HsvV, FlipLR = Fliplr, CloseMosaic = CloseMosaic,
    };

    public void Validate()
    {
        ConfigException.Check(Path == null || Path.Trim().Length > 0, "data.path must name a COCO folder, a YOLO data.yaml or a folder holding one, or be null for the synthetic set");
        ConfigException.Check(SynthTrain > 0 && SynthVal > 0, $"data.synth_train and data.synth_val must be positive; got {SynthTrain} and {SynthVal}");
        ConfigException.Check(SynthSize is >= 32 and <= 4096, $"data.synth_size must be in [32, 4096]; got {SynthSize}");
        ConfigException.Check(BatchSize > 0, $"data.batch_size must be positive; got {BatchSize}");
        ConfigException.Check(TrainScales.Length > 0 && TrainScales.All(s => s > 0), "data.train_scales must be a non-empty list of positive sizes");
        ConfigException.Check(MaxSize > 0, $"data.max_size must be positive; got {MaxSize}");
        ConfigException.Check(CropResize.All(s => s > 0), "data.crop_resize must hold positive sizes (or be empty: no crop path)");
        ConfigException.Check(CropMin > 0 && CropMin <= CropMax, $"data.crop_min must be positive and at most data.crop_max; got {CropMin} and {CropMax}");
        ConfigException.Check(ValSize > 0, $"data.val_size must be positive; got {ValSize}");
        ConfigException.Check(double.IsFinite(MaxSkippedFraction) && MaxSkippedFraction is >= 0 and <= 1, $"data.max_skipped_fraction must be in [0, 1]; got {MaxSkippedFraction}");
        ConfigException.Check(MaxImagePixels > 0, $"data.max_image_pixels must be positive; got {MaxImagePixels}");
        ConfigException.Check(ImgSize > 0 && ImgSize % 32 == 0, $"data.img_size must be a positive multiple of 32 (the YOLO models' largest stride); got {ImgSize}");
        foreach (var (key, p) in new[] { ("mosaic", Mosaic), ("mixup", Mixup), ("fliplr", Fliplr), ("hsv_h", HsvH), ("hsv_s", HsvS), ("hsv_v", HsvV), ("translate", Translate) })
            ConfigException.Check(double.IsFinite(p) && p is >= 0 and <= 1, $"data.{key} must be in [0, 1]; got {p}");
        ConfigException.Check(double.IsFinite(Scale) && Scale is >= 0 and < 1, $"data.scale must be in [0, 1) (the scale gain is drawn from [1 - scale, 1 + scale]); got {Scale}");
        ConfigException.Check(double.IsFinite(Degrees) && Degrees is >= 0 and <= 180, $"data.degrees must be in [0, 180]; got {Degrees}");
        ConfigException.Check(double.IsFinite(Shear) && Shear is >= 0 and < 90, $"data.shear must be in [0, 90) degrees; got {Shear}");
        ConfigException.Check(double.IsFinite(Perspective) && Perspective is >= 0 and <= 0.1, $"data.perspective must be in [0, 0.1] (ultralytics advises at most 0.001); got {Perspective}");
        ConfigException.Check(CloseMosaic >= 0, $"data.close_mosaic must be 0 or more epochs; got {CloseMosaic}");
    }
}
