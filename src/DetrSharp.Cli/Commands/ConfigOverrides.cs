using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Training;

namespace DetrSharp.Cli.Commands;

/// <summary>Applies `--set key=value` (and the named flags) on top of a config: values parse as JSON, else as strings.</summary>
public static class ConfigOverrides
{
    public static TrainConfig Apply(TrainConfig config, IEnumerable<(string key, string value)> overrides)
    {
        var node = JsonNode.Parse(config.ToJson())!.AsObject();
        foreach (var (rawKey, value) in overrides)
        {
            var key = rawKey.Trim().Replace('-', '_');
            if (!node.ContainsKey(key))
                throw new ArgumentException($"unknown config key '{rawKey}'; known keys: {string.Join(", ", node.Select(kv => kv.Key))}");
            JsonNode? parsed;
            try { parsed = JsonNode.Parse(value); }
            catch (JsonException) { parsed = JsonValue.Create(value); }
            node[key] = parsed;
        }
        try { return TrainConfig.FromJson(node.ToJsonString()).Validate(); }
        catch (JsonException e) { throw new ArgumentException($"invalid config value: {e.Message}", e); }
    }

    /// <summary>Splits "key=value" strings.</summary>
    public static IEnumerable<(string, string)> Parse(IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects key=value, got '{item}'");
            yield return (item[..eq], item[(eq + 1)..]);
        }
    }
}
