using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DetrSharp.Torch.IO;

namespace DetrSharp.Data.Coco;

/// <summary>
/// A COCO instances file (<c>instances_*.json</c>) as its records, unvalidated. Read streams the file
/// (segmentation polygons are skipped without being kept), so the 450 MB COCO train file reads in bounded memory.
/// </summary>
public sealed class CocoInstances
{
    /// <summary>The free-form "info" object.</summary>
    [JsonPropertyName("info")] public JsonObject? Info { get; set; }
    /// <summary>The "images" array.</summary>
    [JsonPropertyName("images")] public List<CocoImageEntry>? Images { get; set; }
    /// <summary>The "annotations" array.</summary>
    [JsonPropertyName("annotations")] public List<CocoAnnotationEntry>? Annotations { get; set; }
    /// <summary>The "categories" array.</summary>
    [JsonPropertyName("categories")] public List<CocoCategoryEntry>? Categories { get; set; }

    /// <summary>Reads a COCO instances JSON file.</summary>
    /// <exception cref="DatasetException">The file is missing, unreadable or not COCO JSON; the message names it and where it went wrong.</exception>
    public static CocoInstances Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return JsonSerializer.Deserialize(stream, CocoJsonContext.Default.CocoInstances)
                ?? throw new DatasetException($"COCO annotations '{path}': the file holds JSON null", path);
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            var line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new DatasetException($"COCO annotations '{path}': malformed JSON{where}{line}: {e.Message}", path, inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"COCO annotations '{path}': cannot read the file: {e.Message}", path, inner: e);
        }
    }

    /// <summary>Writes this as compact COCO JSON, atomically (temporary file, then rename).</summary>
    public void Write(string path)
    {
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, CocoJsonContext.Default.CocoInstances));
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CocoInstances))]
internal sealed partial class CocoJsonContext : JsonSerializerContext;
