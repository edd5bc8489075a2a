using System.Text.Json;
using System.Text.Json.Nodes;

namespace DetrSharp.Training;

/// <summary>
/// The curves of results.png from log.jsonl: every numeric field of the "train" rows (each loss term, lr) and AP,
/// AP50 of the "eval" rows, each against step.
/// </summary>
public static class LogSeries
{
    static readonly HashSet<string> NotCurves = ["step", "epoch", "step_seconds"];
    static readonly string[] EvalCurves = ["AP", "AP50"];

    public static List<KeyValuePair<string, IReadOnlyList<(double Step, double Value)>>> Read(string logPath)
    {
        var train = new Dictionary<string, List<(double, double)>>();
        var eval = EvalCurves.ToDictionary(k => k, _ => new List<(double, double)>());
        if (File.Exists(logPath))
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                JsonObject? row;
                try { row = JsonNode.Parse(line) as JsonObject; }
                catch (JsonException) { continue; } // a line being written
                if (row == null || row["step"] is not JsonValue sv || !sv.TryGetValue<double>(out var step)) continue;
                string type = row["type"]?.GetValue<string>() ?? "";
                if (type == "train")
                {
                    foreach (var (k, v) in row)
                        if (!NotCurves.Contains(k) && v is JsonValue jv && jv.TryGetValue<double>(out var d))
                            (train.TryGetValue(k, out var list) ? list : train[k] = new()).Add((step, d));
                }
                else if (type == "eval")
                {
                    foreach (var k in EvalCurves)
                        if (row[k] is JsonValue jv && jv.TryGetValue<double>(out var d)) eval[k].Add((step, d));
                }
            }
        }
        // the total loss, then its terms, then lr, then the evaluation
        var order = train.Keys.OrderBy(k => k == "loss" ? 0 : k == "lr" ? 2 : 1).ThenBy(k => k, StringComparer.Ordinal);
        var result = order.Select(k => new KeyValuePair<string, IReadOnlyList<(double, double)>>(k, train[k])).ToList();
        result.AddRange(EvalCurves.Select(k => new KeyValuePair<string, IReadOnlyList<(double, double)>>(k, eval[k])));
        return result;
    }
}
