using DetrSharp.Torch.IO;

namespace DetrSharp.Training;

/// <summary>
/// A run folder's files (checkpoint.pth, log.jsonl, config.json, eval.json, skipped.txt) and the rule that no
/// command loses a checkpoint that existed before it started: <c>--restart</c> moves the earlier run's files into
/// RUN/.previous/ (<see cref="MoveAside"/>), and the trainer removes that folder only once the new run has written
/// its own first checkpoint (<see cref="DiscardPrevious"/>).
/// </summary>
public sealed class RunFolder(string path)
{
    /// <summary>The folder under the run folder that holds the earlier run until the new one has a checkpoint.</summary>
    public const string PreviousName = ".previous";

    /// <summary>The files a run writes into its folder.</summary>
    public static readonly string[] RunFiles = [Checkpoint.FileName, RunLog.FileName, "config.json", "eval.json", SkippedSamples.FileName];

    public string Path { get; } = path;
    public string CheckpointPath => System.IO.Path.Combine(Path, Checkpoint.FileName);
    public string PreviousPath => System.IO.Path.Combine(Path, PreviousName);

    /// <summary>
    /// Makes room for a new run. When the folder holds a checkpoint, its run's files move to RUN/.previous/ (replacing
    /// an older one there); files of a run that never wrote a checkpoint are removed (nothing of value is lost, and a
    /// stale eval.json does not survive), an existing RUN/.previous/ is then kept. Returns true when files moved.
    /// </summary>
    public bool MoveAside()
    {
        if (!Directory.Exists(Path)) return false;
        AtomicFile.RemoveOrphans(Path);
        RecoverStaging();
        var present = RunFiles.Where(f => File.Exists(System.IO.Path.Combine(Path, f))).ToList();
        if (present.Count == 0) return false;
        if (!present.Contains(Checkpoint.FileName))
        {
            foreach (var f in present) File.Delete(System.IO.Path.Combine(Path, f));
            return false;
        }
        // build the new .previous beside the old one, then swap, so a crash in between keeps one of them whole
        var staging = PreviousPath + ".new";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        foreach (var f in present) File.Move(System.IO.Path.Combine(Path, f), System.IO.Path.Combine(staging, f));
        if (Directory.Exists(PreviousPath)) Directory.Delete(PreviousPath, recursive: true);
        Directory.Move(staging, PreviousPath);
        return true;
    }

    // a move aside that was killed between filling the staging folder and renaming it: finish it
    void RecoverStaging()
    {
        var staging = PreviousPath + ".new";
        if (!Directory.Exists(staging)) return;
        if (!File.Exists(System.IO.Path.Combine(staging, Checkpoint.FileName)))
        {
            Directory.Delete(staging, recursive: true);
            return;
        }
        if (Directory.Exists(PreviousPath)) Directory.Delete(PreviousPath, recursive: true);
        Directory.Move(staging, PreviousPath);
    }

    /// <summary>Removes RUN/.previous/ (call only after this run's own checkpoint is on disk).</summary>
    public void DiscardPrevious()
    {
        if (Directory.Exists(PreviousPath)) Directory.Delete(PreviousPath, recursive: true);
    }
}
