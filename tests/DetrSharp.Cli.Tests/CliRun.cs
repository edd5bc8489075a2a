using DetrSharp.Cli;
using DetrSharp.Data.Synthetic;
using Xunit;

// the commands set libtorch's global seed and thread count, and the console is one per process
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DetrSharp.Cli.Tests;

/// <summary>Runs `detrsharp ARGS` in this process, capturing what it prints.</summary>
public static class CliRun
{
    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    static readonly object Gate = new();

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o);
            Console.SetError(e);
            try { return new Result(CliApp.Run(args), o.ToString(), e.ToString()); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }
}

/// <summary>A tiny synthetic COCO folder, the flags of a tiny DETR that trains in seconds, and one trained run.</summary>
public sealed class TinyRun : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "detrsharp-cli-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public string Data => Path.Combine(Root, "data");
    public string Run => Path.Combine(Root, "run");
    public string Checkpoint => Path.Combine(Run, "checkpoint.pth");
    public string ValAnnotations => SyntheticShapes.AnnotationFile(Data, "val");
    public string ValImages => SyntheticShapes.ImageDirectory(Data, "val");

    /// <summary>Flags of a tiny model on the tiny data, stopping after <paramref name="steps"/> steps.</summary>
    public string[] TrainArgs(string runDir, int steps, params string[] extra) =>
    [
        "train", "--model", "detr", "--data", Data, "--out", runDir, "--max-steps", steps.ToString(), "--time-limit", "0", "--epochs", "2",
        "--set", "model.hidden_dim=64", "model.nheads=4", "model.enc_layers=1", "model.dec_layers=2", "model.dim_feedforward=64",
        "model.num_queries=8", "data.train_scales=[96]", "data.crop_resize=[96]", "data.crop_min=72", "data.crop_max=96",
        "data.val_size=96", "data.max_size=128", "data.batch_size=4", "runtime.workers=2", "runtime.log_every=1",
        "schedule.warmup_steps=5", "eval.every=0", "runtime.seed=5", .. extra,
    ];

    public TinyRun()
    {
        SyntheticShapes.Generate(Data, new SyntheticShapesOptions { TrainImages = 16, ValImages = 8, ImageSize = 96, Seed = 7, MaxObjects = 1 });
        var r = CliRun.Run(TrainArgs(Run, 2));
        if (r.ExitCode != 0) throw new InvalidOperationException("the tiny training run failed: " + r);
        Trained = r;
    }

    /// <summary>What the tiny training run printed.</summary>
    public CliRun.Result Trained { get; }

    public string NewDir(string name)
    {
        var d = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(d);
        return d;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class TinyRunCollection : ICollectionFixture<TinyRun>
{
    public const string Name = "tiny trained run";
}
