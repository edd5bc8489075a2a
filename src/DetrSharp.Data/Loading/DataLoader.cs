using System.Collections.Concurrent;
using DetrSharp.Data.Coco;
using DetrSharp.Data.Imaging;
using DetrSharp.Data.Synthetic;
using DetrSharp.Data.Transforms;
using DetrSharp.Torch;

namespace DetrSharp.Data.Loading;

/// <summary>Loader settings.</summary>
public sealed record DataLoaderOptions
{
    public int BatchSize { get; init; } = 2;
    public bool Shuffle { get; init; } = true;
    /// <summary>Drop a last, smaller batch (training usually does).</summary>
    public bool DropLast { get; init; }
    public long Seed { get; init; } = 42;
    /// <summary>Samples decoded and augmented at once (0 = core count).</summary>
    public int Workers { get; init; }
    /// <summary>Finished batches waiting for the training thread.</summary>
    public int Prefetch { get; init; } = 2;
    /// <summary>Skip and report unreadable samples instead of stopping the run.</summary>
    public bool SkipBadSamples { get; init; }
    /// <summary>Pixel-count limit and corrupt-data handling of image decoding.</summary>
    public ImageLimits ImageLimits { get; init; } = ImageLimits.Default;
    /// <summary>This process's rank in a distributed run (torch's DistributedSampler: each rank loads its share).</summary>
    public int Rank { get; init; }
    /// <summary>Processes in a distributed run (1: this process loads everything).</summary>
    public int WorldSize { get; init; } = 1;
}

/// <summary>
/// Decodes, augments and batches a COCO dataset on background workers, keeping at most
/// <see cref="DataLoaderOptions.Prefetch"/> finished batches ahead of the training thread. The order of
/// an epoch and every sample's augmentation depend only on (seed, epoch, image), so a run repeats exactly
/// and can restart at any batch of an epoch.
/// </summary>
public sealed class DataLoader
{
    readonly CocoDataset _dataset;
    readonly Func<int, IDetectionTransform> _transform;
    readonly ConcurrentQueue<string> _problems = new();
    readonly ConcurrentQueue<(int Position, string Reason)> _skipped = new();

    public DataLoader(CocoDataset dataset, IDetectionTransform transform, DataLoaderOptions options)
        : this(dataset, _ => transform, options) { }

    /// <summary>A loader whose augmentation depends on the epoch (counted from 0), as YOLO's close_mosaic needs.</summary>
    public DataLoader(CocoDataset dataset, Func<int, IDetectionTransform> transformForEpoch, DataLoaderOptions options)
    {
        _dataset = dataset;
        _transform = transformForEpoch;
        Options = options;
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be positive");
        if (options.WorldSize < 1 || options.Rank < 0 || options.Rank >= options.WorldSize)
            throw new ArgumentOutOfRangeException(nameof(options), $"the rank must be in [0, world size {options.WorldSize}); got {options.Rank}");
    }

    public DataLoaderOptions Options { get; }
    public CocoDataset Dataset => _dataset;

    /// <summary>Samples skipped so far (skip mode), each naming the file and the problem.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>Samples skipped so far (skip mode): the dataset position and the problem, in the order met.</summary>
    public IReadOnlyCollection<(int Position, string Reason)> Skipped => _skipped;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch
    {
        get
        {
            int n = SamplesPerRank, b = Options.BatchSize;
            return Options.DropLast ? n / b : (n + b - 1) / b;
        }
    }

    /// <summary>Samples this rank loads per epoch: the dataset padded to a multiple of the world size, divided by it.</summary>
    public int SamplesPerRank => (_dataset.Count + Options.WorldSize - 1) / Options.WorldSize;

    /// <summary>
    /// This rank's image positions of an epoch, in order. In a distributed run, DistributedSampler's: the epoch's
    /// order (the same on every rank), padded by repeating its start to a multiple of the world size, then every
    /// world-size-th position from the rank's own; so batch k of all ranks together is batch k of one process with
    /// world size × the batch size.
    /// </summary>
    public int[] Order(int epoch)
    {
        var order = GlobalOrder(epoch);
        if (Options.WorldSize == 1 || order.Length == 0) return order;
        var mine = new int[SamplesPerRank];
        for (int i = 0; i < mine.Length; i++) mine[i] = order[(Options.Rank + i * Options.WorldSize) % order.Length];
        return mine;
    }

    /// <summary>
    /// The positions this rank loads in an epoch only to pad its share to equal length (DistributedSampler repeats the
    /// order's start): an evaluation drops their results, which another rank reports for the same images. Never a
    /// position this rank also loads as its own (that would need a world size dividing the dataset, which pads nothing).
    /// </summary>
    public int[] PaddingPositions(int epoch)
    {
        if (Options.WorldSize == 1) return [];
        var order = GlobalOrder(epoch);
        var padding = new List<int>();
        for (int i = 0; i < SamplesPerRank; i++)
        {
            int global = Options.Rank + i * Options.WorldSize;
            if (global >= order.Length && order.Length > 0) padding.Add(order[global % order.Length]);
        }
        return padding.ToArray();
    }

    int[] GlobalOrder(int epoch)
    {
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (!Options.Shuffle) return order;
        var rng = new Xoshiro256StarStar(SplitMix64.Combine((ulong)Options.Seed, 0x5EED, (ulong)epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Loads and transforms one image (deterministic for a given epoch).</summary>
    public DetectionSample LoadSample(int position, int epoch)
    {
        var record = _dataset.GetRecord(position);
        var image = ImageCodec.Decode(record.FilePath, Options.ImageLimits);
        if (image.Width != record.Width || image.Height != record.Height)
            throw new DatasetException($"{record.FilePath}: image is {image.Width}x{image.Height} but the annotations say {record.Width}x{record.Height} (image id {record.ImageId})");
        var rng = new Xoshiro256StarStar(SplitMix64.Combine((ulong)Options.Seed, (ulong)epoch, (ulong)record.ImageId));
        return _transform(epoch).Apply(DetectionSample.From(record, image), ref rng);
    }

    /// <summary>
    /// The batches of an epoch from batch <paramref name="startBatch"/> on, produced in the background.
    /// Each batch belongs to the caller, who disposes it.
    /// </summary>
    public IEnumerable<DetectionBatch> Epoch(int epoch, int startBatch = 0, CancellationToken cancel = default)
    {
        var order = Order(epoch);
        int total = BatchesPerEpoch;
        if (startBatch >= total) yield break;
        int workers = Options.Workers > 0 ? Options.Workers : Environment.ProcessorCount;
        using var queue = new BlockingCollection<(DetectionBatch? batch, Exception? error)>(Math.Max(1, Options.Prefetch));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var producer = Task.Run(() =>
        {
            try
            {
                for (int bi = startBatch; bi < total && !stop.IsCancellationRequested; bi++)
                {
                    int from = bi * Options.BatchSize, to = Math.Min(order.Length, from + Options.BatchSize);
                    var samples = new DetectionSample?[to - from];
                    var skipped = new ConcurrentBag<string>();
                    Parallel.For(from, to, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = stop.Token }, k =>
                    {
                        try { samples[k - from] = LoadSample(order[k], epoch); }
                        catch (Exception e) when (Options.SkipBadSamples && e is ImageDecodeException or DatasetException or IOException)
                        {
                            skipped.Add(e.Message);
                            _problems.Enqueue(e.Message);
                            _skipped.Enqueue((order[k], e.Message));
                        }
                    });
                    var good = samples.Where(s => s != null).Select(s => s!).ToList();
                    if (good.Count == 0) continue;
                    var batch = Collate.Make(good, epoch, bi, skipped.ToList());
                    try { queue.Add((batch, null), stop.Token); }
                    catch (OperationCanceledException) { batch.Dispose(); return; }
                }
            }
            catch (OperationCanceledException) { }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1) { TryAdd(queue, e.InnerExceptions[0]); }
            catch (Exception e) { TryAdd(queue, e); }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var (batch, error) in queue.GetConsumingEnumerable(cancel))
            {
                if (error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
                yield return batch!;
            }
        }
        finally
        {
            stop.Cancel();
            // drain what the producer finished after we stopped, so nothing leaks
            try { producer.Wait(); } catch { }
            while (queue.TryTake(out var left)) left.batch?.Dispose();
        }
    }

    static void TryAdd(BlockingCollection<(DetectionBatch?, Exception?)> queue, Exception e)
    {
        try { queue.Add((null, e)); } catch (InvalidOperationException) { }
    }
}
