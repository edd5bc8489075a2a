using System.Text.Json.Serialization;
using DetrSharp.Detection.Configuration;
using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>The <c>runtime</c> section: device, seed, threads, data workers and log cadence.</summary>
public sealed record RuntimeConfig
{
    /// <summary>cpu, cuda or cuda:N: where the model, batches and targets live (data loading and assignment stay on the CPU).</summary>
    public string Device { get; init; } = "cpu";
    public long Seed { get; init; } = 42;
    /// <summary>libtorch intra-op threads (0 = one core fewer than the machine has, left to the data workers; on 2 cores
    /// one thread trains the default model 1.18-1.29x faster per step than two).</summary>
    public int Threads { get; init; }
    /// <summary>Data workers (0 = core count).</summary>
    public int Workers { get; init; }
    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Distributed runs: how long a rank waits for the others (rendezvous, each collective) before stopping
    /// with an error that names it; a rank that died or hangs ends the run within this time.</summary>
    public double DistTimeoutSeconds { get; init; } = 60;
    /// <summary>auto, fp32, bf16 or fp16 (CUDA only): autocast around the forward (see <see cref="RunPrecision"/>); auto = bf16
    /// on CPUs with avx512_bf16 or amx_bf16 and on CUDA devices that support it, else fp32. May change on resume (the
    /// weights and optimizer state are float32 under every precision).</summary>
    public string Precision { get; init; } = "auto";
    /// <summary>auto, true or false: convolution weights (and the images at the model's entry) channels_last, set once at
    /// model build (see <see cref="ChannelsLastChoice"/>); auto = where measured faster for the family and precision.
    /// May change on resume (checkpoints hold NCHW either way).</summary>
    [JsonConverter(typeof(TextOrNumberConverter))]
    public string ChannelsLast { get; init; } = "auto";

    /// <summary>Whether a model of <paramref name="family"/> (model.name) is built channels_last on this machine.</summary>
    public ChannelsLastChoice ResolveChannelsLast(string family) => ChannelsLastChoice.Resolve(ChannelsLast, family, ResolvePrecision());
    /// <summary>auto, true or false: distributed runs normalise every BatchNorm2d with the statistics of all ranks' batches
    /// (SyncBatchNorm) when true, WORLD_SIZE > 1 and the model has trainable BatchNorm (DETR-R50's and DINO's frozen
    /// backbones have none); auto = off, as PyTorch's DDP without convert_sync_batchnorm (see DistributedContext.SyncBatchNorm). May change on resume (it changes no state).</summary>
    [JsonConverter(typeof(TextOrNumberConverter))]
    public string SyncBatchnorm { get; init; } = "auto";

    /// <summary>Distributed runs: the gradient bucket cap in MiB (DDP's bucket_cap_mb, default 25): each bucket's all-reduce
    /// starts during backward once all its gradients exist; smaller buckets start earlier and leave less to wait for
    /// after backward, at more all-reduces per step. May change on resume.</summary>
    public double DdpBucketMb { get; init; } = 25;

    /// <summary>The values <see cref="SyncBatchnorm"/> takes.</summary>
    public static readonly IReadOnlyList<string> SyncBatchnormSettings = ["auto", "true", "false"];

    /// <summary>The precision this run computes in on its device.</summary>
    public RunPrecision ResolvePrecision() => RunPrecision.Resolve(Precision, TorchDevice);

    /// <summary><see cref="DdpBucketMb"/> in bytes.</summary>
    [JsonIgnore]
    public long DdpBucketBytes => Math.Max(1, (long)(DdpBucketMb * (1 << 20)));

    /// <summary>The libtorch threads training uses: <see cref="Threads"/>, or when 0 the core count less one, at least one;
    /// in a distributed run (WORLD_SIZE set) OMP_NUM_THREADS when set (torchrun and `train --nproc` share the cores out so).</summary>
    [JsonIgnore]
    public int TrainingThreads => Threads > 0 ? Threads
        : int.TryParse(Environment.GetEnvironmentVariable("WORLD_SIZE"), out int world) && world > 1
          && int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), out int omp) && omp > 0 ? omp
        : Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>The parsed <see cref="Device"/>.</summary>
    [JsonIgnore]
    public Device TorchDevice => Torch.Device.Parse(Device);

    public void Validate()
    {
        Torch.Device device;
        try { device = Torch.Device.Parse(Device); }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            throw new ConfigException($"runtime.device must be cpu, cuda or cuda:N; got \"{Device}\"");
        }
        int limit = Environment.ProcessorCount * 2;
        ConfigException.Check(Threads >= 0 && Threads <= limit, $"runtime.threads must be in [0, {limit}] (0 = automatic; at most twice the {Environment.ProcessorCount} cores); got {Threads}");
        ConfigException.Check(Workers >= 0 && Workers <= limit, $"runtime.workers must be in [0, {limit}] (0 = one per core); got {Workers}");
        ConfigException.Check(LogEvery > 0, $"runtime.log_every must be positive; got {LogEvery}");
        ConfigException.Check(double.IsFinite(DistTimeoutSeconds) && DistTimeoutSeconds >= 1, $"runtime.dist_timeout_seconds must be a number of seconds >= 1; got {DistTimeoutSeconds}");
        ConfigException.Check(RunPrecision.Settings.Contains(Precision), $"runtime.precision must be one of {string.Join(", ", RunPrecision.Settings)}; got \"{Precision}\"");
        ConfigException.Check(ChannelsLastChoice.Settings.Contains(ChannelsLast), $"runtime.channels_last must be one of {string.Join(", ", ChannelsLastChoice.Settings)}; got \"{ChannelsLast}\"");
        ConfigException.Check(double.IsFinite(DdpBucketMb) && DdpBucketMb > 0 && DdpBucketMb <= 1024, $"runtime.ddp_bucket_mb must be a size in MiB in (0, 1024]; got {DdpBucketMb}");
        ConfigException.Check(SyncBatchnormSettings.Contains(SyncBatchnorm), $"runtime.sync_batchnorm must be one of {string.Join(", ", SyncBatchnormSettings)}; got \"{SyncBatchnorm}\"");
        ConfigException.Check(Precision != "fp16" || device.type == DeviceType.CUDA,
            $"runtime.precision fp16 needs a CUDA device (float16 autocast with loss scaling is CUDA only; runtime.device is {Device}): use bf16 or fp32 on the CPU");
        _ = device;
    }

    /// <summary>Throws when the device is CUDA and this libtorch has none (or not that many devices).</summary>
    public void CheckDeviceAvailable()
    {
        var d = TorchDevice;
        if (d.type != DeviceType.CUDA) return;
        if (!torch.cuda.is_available())
            throw new ConfigException($"runtime.device is \"{Device}\" but this libtorch has no CUDA (a CPU build, or no GPU visible): use --device cpu, or build against a CUDA libtorch with LIBTORCH_DIR");
        int n = torch.cuda.device_count();
        ConfigException.Check(d.index < n, $"runtime.device is \"{Device}\" but only {n} CUDA device(s) are visible");
    }
}
