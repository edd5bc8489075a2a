using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DetrSharp.Detection.Configuration;

/// <summary>
/// How every configuration section is written and read: snake_case keys, enums as snake_case strings, comments and
/// trailing commas allowed. <see cref="ReadSection"/> checks a section's keys and values one by one first, so an
/// unknown key or a bad value is an error that names <c>section.key</c> and lists what is valid, in the project's
/// words rather than the serializer's.
/// </summary>
public static class ConfigJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // computed properties (a record's derived values) are not settings
        IgnoreReadOnlyProperties = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The settable keys of a section type, in declaration order.</summary>
    public static IReadOnlyList<JsonPropertyInfo> Keys(Type type)
        => Options.GetTypeInfo(type).Properties.Where(p => p.Set != null).ToList();

    /// <summary>
    /// Reads section <paramref name="section"/> (a JSON object, or null for all defaults) into <paramref name="type"/>,
    /// starting from that type's defaults. <paramref name="skip"/> names keys handled by the caller (a discriminator).
    /// </summary>
    public static object ReadSection(JsonNode? node, Type type, string section, params string[] skip)
    {
        if (node is null) return JsonSerializer.Deserialize("{}", type, Options)!;
        if (node is not JsonObject obj) throw new ConfigException($"{section} must be a JSON object of settings, got {node.ToJsonString()}");
        var keys = Keys(type).ToDictionary(p => p.Name);
        var clean = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (skip.Contains(key)) continue;
            if (!keys.TryGetValue(key, out var prop))
                throw new ConfigException($"unknown key {section}.{key}; the keys of {section} are: {string.Join(", ", keys.Keys)}");
            CheckValue(value, prop, $"{section}.{key}");
            clean[key] = value?.DeepClone();
        }
        try { return clean.Deserialize(type, Options)!; }
        catch (JsonException e) { throw new ConfigException($"{section}: {e.Message}", e); }
    }

    static void CheckValue(JsonNode? value, JsonPropertyInfo prop, string key)
    {
        var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
        if (t.IsEnum)
        {
            var valid = Enum.GetNames(t).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();
            var s = value is JsonValue v && v.TryGetValue<string>(out var str) ? str : null;
            if (s == null || !valid.Contains(s))
                throw new ConfigException($"{key} must be one of {string.Join(", ", valid)}; got {value?.ToJsonString() ?? "null"}");
            return;
        }
        // a key with its own converter (model.freeze: text or a number) is read by it
        if (prop.CustomConverter != null) return;
        try { value.Deserialize(prop.PropertyType, Options); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ConfigException($"{key} must be {Describe(prop.PropertyType)}; got {value?.ToJsonString() ?? "null"}");
        }
    }

    static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        string what = t == typeof(int) || t == typeof(long) ? "a whole number"
            : t == typeof(double) || t == typeof(float) ? "a number"
            : t == typeof(bool) ? "true or false"
            : t == typeof(string) ? "a string"
            : t.IsArray ? $"a list of {Describe(t.GetElementType()!)}s"
            : t.Name;
        return Nullable.GetUnderlyingType(type) != null || type == typeof(string) ? what + " or null" : what;
    }
}
