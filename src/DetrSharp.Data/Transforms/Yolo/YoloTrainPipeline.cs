namespace DetrSharp.Data.Transforms;

/// <summary>The training pipeline of each epoch: with mosaic (and mixup) before epoch <see cref="CloseMosaicEpoch"/>, without from it on.</summary>
public sealed class YoloTrainPipeline
{
    readonly IDetectionTransform _open, _closed;

    public YoloTrainPipeline(YoloAugmentOptions options, ISampleSource source, int epochs)
    {
        Options = options;
        CloseMosaicEpoch = Math.Max(0, epochs - options.CloseMosaic);
        var letterBox = new LetterBox(options.ImgSize);
        var perspective = new RandomPerspective(options);
        var pre = new YoloPreTransform(new Mosaic(source, options.ImgSize), options.Mosaic, letterBox, perspective);
        _open = Build(pre, options.MixUp > 0 ? new MixUp(source, pre, options.MixUp) : null, options);
        _closed = Build(new YoloPreTransform(null, 0, letterBox, perspective), null, options);
    }

    static IDetectionTransform Build(IDetectionTransform pre, MixUp? mixUp, YoloAugmentOptions o)
    {
        var steps = new List<IDetectionTransform> { pre };
        if (mixUp != null) steps.Add(mixUp);
        steps.Add(new RandomHsv(o.HsvH, o.HsvS, o.HsvV));
        steps.Add(new RandomHorizontalFlip(o.FlipLR));
        return new Compose(steps.ToArray());
    }

    public YoloAugmentOptions Options { get; }

    /// <summary>The first epoch (counted from 0) without mosaic and mixup: epochs − close_mosaic.</summary>
    public int CloseMosaicEpoch { get; }

    public bool MosaicOn(int epoch) => epoch < CloseMosaicEpoch && Options.Mosaic > 0;

    /// <summary>The pipeline of an epoch (counted from 0, as the loader counts).</summary>
    public IDetectionTransform ForEpoch(int epoch) => epoch < CloseMosaicEpoch ? _open : _closed;

    /// <summary>The pipeline with mosaic (and mixup), or after close_mosaic without (a time-limited run decides which from its
    /// re-estimated plan).</summary>
    public IDetectionTransform Pipeline(bool mosaicClosed) => mosaicClosed ? _closed : _open;
}
