using System.Text.Json.Serialization;

namespace DetrSharp.Data.Coco;

// The records of a COCO instances JSON file as written; every field is optional here so that a missing one
// is reported by validation (naming the record) rather than by the JSON reader. Unknown fields
// (segmentation, licenses, coco_url, ...) are skipped when reading and not written back.

/// <summary>One entry of a COCO file's "images" array.</summary>
public sealed class CocoImageEntry
{
    /// <summary>"id": unique among images.</summary>
    [JsonPropertyName("id")] public long? Id { get; set; }
    /// <summary>"file_name": relative to the image folder.</summary>
    [JsonPropertyName("file_name")] public string? FileName { get; set; }
    /// <summary>"width" in pixels.</summary>
    [JsonPropertyName("width")] public double? Width { get; set; }
    /// <summary>"height" in pixels.</summary>
    [JsonPropertyName("height")] public double? Height { get; set; }
}

/// <summary>One entry of a COCO file's "annotations" array (detection fields only; segmentation is skipped).</summary>
public sealed class CocoAnnotationEntry
{
    /// <summary>"id": unique among annotations.</summary>
    [JsonPropertyName("id")] public long? Id { get; set; }
    /// <summary>"image_id": the image it belongs to.</summary>
    [JsonPropertyName("image_id")] public long? ImageId { get; set; }
    /// <summary>"category_id": one of the categories' ids.</summary>
    [JsonPropertyName("category_id")] public long? CategoryId { get; set; }
    /// <summary>[x, y, width, height] in pixels, top-left origin.</summary>
    [JsonPropertyName("bbox")] public double[]? Bbox { get; set; }
    /// <summary>"area": the segmentation area in pixels (used by COCO evaluation's area ranges).</summary>
    [JsonPropertyName("area")] public double? Area { get; set; }
    /// <summary>"iscrowd": 1 for a crowd region, 0 (or absent) for one object.</summary>
    [JsonPropertyName("iscrowd")] public int? IsCrowd { get; set; }
}

/// <summary>One entry of a COCO file's "categories" array.</summary>
public sealed class CocoCategoryEntry
{
    /// <summary>"id": any integer, unique among categories.</summary>
    [JsonPropertyName("id")] public long? Id { get; set; }
    /// <summary>"name".</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>"supercategory", optional.</summary>
    [JsonPropertyName("supercategory")] public string? Supercategory { get; set; }
}
