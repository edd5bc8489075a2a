using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetrSharp.Detection.Configuration;

/// <summary>
/// A text setting that may also be written as a number (<c>model.freeze</c>: <c>"backbone"</c> or <c>10</c>, so that
/// <c>--set model.freeze=10</c>, which the config reads as JSON, works): the number is kept as its text; so are
/// <c>true</c> and <c>false</c> (<c>runtime.channels_last</c>: <c>"auto"</c>, <c>true</c> or <c>false</c>).
/// </summary>
public sealed class TextOrNumberConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => throw new JsonException($"expected text, a number or true/false, got {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value == null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
