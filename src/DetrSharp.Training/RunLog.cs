using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Torch.IO;

namespace DetrSharp.Training;

/// <summary>The run folder's log.jsonl: one JSON object per line (per N steps, per evaluation), flushed as written.</summary>
public sealed class RunLog : IDisposable
{
    public const string FileName = "log.jsonl";

    readonly StreamWriter _writer;

    /// <param name="runDirectory">the run folder</param>
    /// <param name="resumeStep">0 starts a new log; otherwise the log continues after the rows of steps up to this
    /// one (rows a killed run wrote after its last checkpoint are dropped, so a resumed run has no duplicate steps)</param>
    public RunLog(string runDirectory, long resumeStep)
    {
        Directory.CreateDirectory(runDirectory);
        Path = System.IO.Path.Combine(runDirectory, FileName);
        if (resumeStep > 0) TruncateAfter(Path, resumeStep);
        _writer = new StreamWriter(Path, append: resumeStep > 0) { AutoFlush = true };
    }

    RunLog(string path, StreamWriter writer)
    {
        Path = path;
        _writer = writer;
    }

    /// <summary>A log that writes nothing (the ranks other than 0 of a distributed run).</summary>
    public static RunLog Discard() => new("", new StreamWriter(Stream.Null));

    public string Path { get; }

    public void Write(string type, JsonObject fields)
    {
        var o = new JsonObject { ["type"] = type, ["time"] = DateTime.UtcNow.ToString("O") };
        foreach (var (k, v) in fields) o[k] = v?.DeepClone();
        _writer.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    /// <summary>
    /// Rewrites a log (atomically) without the rows of steps after <paramref name="step"/> and without a last line
    /// cut short by a kill; returns how many rows were dropped. A missing file is left missing.
    /// </summary>
    public static int TruncateAfter(string path, long step)
    {
        if (!File.Exists(path)) return 0;
        var kept = new List<string>();
        int dropped = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            long? rowStep = null;
            try
            {
                if (JsonNode.Parse(line) is JsonObject o && o["step"] is JsonValue v && v.TryGetValue<long>(out var s)) rowStep = s;
            }
            catch (JsonException) { dropped++; continue; }
            if (rowStep > step) { dropped++; continue; }
            kept.Add(line);
        }
        if (dropped > 0) AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n", flushToDisk: true);
        return dropped;
    }

    public void Dispose() => _writer.Dispose();
}
