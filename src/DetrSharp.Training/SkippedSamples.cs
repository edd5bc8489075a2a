using System.Text.Json.Nodes;
using DetrSharp.Torch.IO;

namespace DetrSharp.Training;

/// <summary>
/// The samples a run skipped under data.skip_bad_samples: each file once with its reason, in the console, in
/// log.jsonl (a "skipped" row) and in RUN/skipped.txt (rewritten atomically). A run stops when more than
/// data.max_skipped_fraction of the training images were skipped, or all of them.
/// </summary>
public sealed class SkippedSamples(string runDirectory, int trainImages, double maxFraction, ITrainingObserver observer)
{
    public const string FileName = "skipped.txt";

    readonly List<string> _lines = new();
    readonly HashSet<string> _seen = new();
    int _train;

    public string Path { get; } = System.IO.Path.Combine(runDirectory, FileName);

    /// <summary>Continues the list of a resumed run (what it skipped before is neither reported nor counted again).</summary>
    public SkippedSamples Resume()
    {
        if (!File.Exists(Path)) return this;
        foreach (var line in File.ReadAllLines(Path))
        {
            int tab = line.IndexOf('\t');
            if (tab <= 0 || !_seen.Add($"{line[..tab]}\n{line[(tab + 1)..]}")) continue;
            _lines.Add(line);
            if (line[..tab] == "train") _train++;
        }
        return this;
    }

    /// <summary>Distinct training samples skipped so far.</summary>
    public int TrainCount => _train;

    /// <summary>Records skipped samples of <paramref name="split"/> ("train" or "val"); throws when too many training images were skipped.</summary>
    public void Add(string split, IEnumerable<string> reasons, long step, RunLog? log)
    {
        bool added = false;
        foreach (var reason in reasons)
        {
            if (!_seen.Add($"{split}\n{reason}")) continue;
            added = true;
            if (split == "train") _train++;
            _lines.Add($"{split}\t{reason}");
            observer.Message($"skipped a {split} sample: {reason}");
            log?.Write("skipped", new JsonObject { ["step"] = step, ["split"] = split, ["reason"] = reason });
        }
        if (!added) return;
        AtomicFile.WriteAllText(Path, string.Join("\n", _lines) + "\n");
        if (split == "train" && trainImages > 0 && (_train >= trainImages || _train > maxFraction * trainImages))
            throw new InvalidDataException(
                $"{_train} of {trainImages} training images were unreadable and skipped (more than data.max_skipped_fraction = {maxFraction}); " +
                $"the run stops: fix or remove them (the list is in {Path}), or raise data.max_skipped_fraction");
    }
}
