using System.Text.Json;
using System.Text.Json.Nodes;

namespace DetrSharp.Training;

/// <summary>The run folder's log.jsonl: one JSON object per line (per N steps, per evaluation), flushed as written.</summary>
public sealed class RunLog : IDisposable
{
    readonly StreamWriter _writer;

    public RunLog(string runDirectory, bool append)
    {
        Directory.CreateDirectory(runDirectory);
        Path = System.IO.Path.Combine(runDirectory, "log.jsonl");
        _writer = new StreamWriter(Path, append) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write(string type, JsonObject fields)
    {
        var o = new JsonObject { ["type"] = type, ["time"] = DateTime.UtcNow.ToString("O") };
        foreach (var (k, v) in fields) o[k] = v?.DeepClone();
        _writer.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    public void Dispose() => _writer.Dispose();
}
