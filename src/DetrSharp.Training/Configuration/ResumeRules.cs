using System.Globalization;
using System.Text.Json.Nodes;
using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>
/// What a resumed run may change. Resuming takes the run's saved config; the settings listed in <see cref="Mutable"/>
/// (how long to run, how often to evaluate, log and checkpoint, and where and how wide to run) may differ on the
/// command line and then apply and are recorded. Any other difference (the model, the data, the batch size, the
/// optimizer, the warm-up and learning-rate schedule) would make the checkpoint's weights and state belong to
/// another run: it is an error naming each setting with both values. One comparison over the configs' JSON, so a
/// key added to a section is covered without code here.
/// </summary>
public static class ResumeRules
{
    /// <summary>The keys (section.key) that may change when a run is resumed.</summary>
    public static readonly IReadOnlySet<string> Mutable = new HashSet<string>
    {
        "schedule.time_limit_minutes", "schedule.max_steps", "schedule.epochs", "schedule.checkpoint_every", "schedule.checkpoint_minutes",
        "eval.every",
        "runtime.log_every", "runtime.workers", "runtime.threads", "runtime.device", "runtime.dist_timeout_seconds", "runtime.precision",
        "runtime.channels_last",
        "runtime.sync_batchnorm", "runtime.ddp_bucket_mb",
    };

    /// <summary>Every key whose value differs between two configs, with both values as JSON text.</summary>
    public static List<(string key, string saved, string requested)> Differences(RunConfig saved, RunConfig requested)
    {
        var a = saved.ToJsonNode();
        var b = requested.ToJsonNode();
        var diffs = new List<(string, string, string)>();
        foreach (var section in RunConfig.Sections)
        {
            var sa = a[section] as JsonObject ?? new JsonObject();
            var sb = b[section] as JsonObject ?? new JsonObject();
            foreach (var key in sa.Select(kv => kv.Key).Union(sb.Select(kv => kv.Key)))
            {
                var va = sa[key];
                var vb = sb[key];
                if (!JsonNode.DeepEquals(va, vb)) diffs.Add(($"{section}.{key}", Text(va), Text(vb)));
            }
        }
        return diffs;
    }

    /// <summary>
    /// The config a resumed run continues with: <paramref name="requested"/> when it differs from
    /// <paramref name="saved"/> only in <see cref="Mutable"/> settings; otherwise a <see cref="ConfigException"/>
    /// naming every setting that cannot change, with the run's value and the requested one.
    /// </summary>
    /// <param name="saved">the checkpoint's config</param>
    /// <param name="requested">the saved config with the command line's settings applied</param>
    /// <param name="checkpoint">the checkpoint's path, for the message</param>
    public static RunConfig Merge(RunConfig saved, RunConfig requested, string checkpoint)
    {
        var fixedDiffs = Differences(saved, requested).Where(d => !Mutable.Contains(d.key)).ToList();
        if (fixedDiffs.Count == 0) return requested;
        var list = string.Join("; ", fixedDiffs.Select(d => $"{d.key} is {d.saved} in the run but {d.requested} now"));
        throw new ConfigException(
            $"cannot resume {checkpoint} with other settings: {list}. These cannot change in the middle of a run: " +
            "add --restart to start this run over (the old one is kept until the new one's first checkpoint), or give a new --out folder. " +
            $"Settings that may change on resume: {string.Join(", ", Mutable.Order())}");
    }

    static string Text(JsonNode? v) => v switch
    {
        null => "null",
        JsonValue value when value.TryGetValue<double>(out var d) => d.ToString("R", CultureInfo.InvariantCulture),
        _ => v.ToJsonString(),
    };
}
