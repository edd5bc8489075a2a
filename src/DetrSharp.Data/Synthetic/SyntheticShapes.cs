using System.Text.Json.Nodes;
using DetrSharp.Data.Coco;
using DetrSharp.Torch.IO;
using DetrSharp.Data.Imaging;

namespace DetrSharp.Data.Synthetic;

/// <summary>
/// The built-in synthetic detection dataset: coloured shapes (<see cref="ShapeKind"/>) on textured backgrounds,
/// written as a real COCO folder:
/// <code>
/// ROOT/train/000001.png ...            ROOT/annotations/instances_train.json
/// ROOT/val/000001.png ...              ROOT/annotations/instances_val.json
/// </code>
/// Category ids start at 1 (circle = 1 ... cross = 5; with <see cref="SyntheticShapesOptions.Classes"/> above 5 the
/// shapes are spread over ids 1..N, see <see cref="CategoryIds"/>); image and annotation ids start at 1 in each split.
/// <see cref="SyntheticShapesOptions.Style"/> picks the palette and background family (<see cref="SyntheticStyle"/>).
/// With <see cref="SyntheticShapesOptions.Format"/> = <see cref="SyntheticShapesFormat.Yolo"/> the same images are
/// written in the YOLO layout instead (<see cref="SyntheticYoloLayout"/>).
/// Deterministic: each image is rendered from a hash of (seed, split, index), so the files are byte-identical for the
/// same settings whatever the parallelism, and the val split does not depend on the train count.
/// </summary>
public static class SyntheticShapes
{
    internal const string Generator = "DetrSharp.SyntheticShapes";
    const int FormatVersion = 1;
    // Noisy textures barely compress: Huffman-only coding of SUB/UP-filtered rows is as small as full deflate
    // and several times faster to write and to read back.
    const int PngCompressionLevel = 1, PngHuffmanOnly = 2, PngFilterSubUp = 16 | 32;
    internal static readonly string[] Splits = ["train", "val"];

    /// <summary>Class names in category id order (category id = index + 1).</summary>
    public static IReadOnlyList<string> ClassNames => ShapeGeometry.Names;

    /// <summary>
    /// The category id of each shape (in <see cref="ShapeKind"/> order) when <paramref name="classes"/> categories are
    /// listed: 1 + k·N/5, i.e. 1..5 for 5 and 1, 19, 37, 55, 73 for 91.
    /// </summary>
    public static IReadOnlyList<int> CategoryIds(int classes) =>
        Enumerable.Range(0, ShapeGeometry.KindCount).Select(k => 1 + k * classes / ShapeGeometry.KindCount).ToArray();

    /// <summary>All listed categories, in id order: the shapes' names at <see cref="CategoryIds"/>, "unused{id}" elsewhere.</summary>
    public static IReadOnlyList<(int Id, string Name)> Categories(int classes)
    {
        var ids = CategoryIds(classes).ToList();
        return Enumerable.Range(1, classes)
            .Select(id => (id, ids.IndexOf(id) is var k and >= 0 ? ShapeGeometry.Names[k] : $"unused{id}"))
            .ToArray();
    }

    /// <summary>The folder holding a split's images ("train" or "val").</summary>
    public static string ImageDirectory(string root, string split) => Path.Combine(root, CheckSplit(split));

    /// <summary>A split's COCO annotation file.</summary>
    public static string AnnotationFile(string root, string split) =>
        Path.Combine(root, "annotations", $"instances_{CheckSplit(split)}.json");

    /// <summary>Renders one scene in memory (what <see cref="Generate"/> writes for the given image seed).</summary>
    public static SyntheticScene RenderScene(int imageSize, ulong imageSeed, int maxObjects = 6, SyntheticStyle style = SyntheticStyle.Standard) =>
        SceneRenderer.Render(imageSize, imageSeed, maxObjects, style);

    /// <summary>The seed of image <paramref name="index"/> (0-based) of a split.</summary>
    public static ulong ImageSeed(long seed, string split, int index) =>
        SplitMix64.Combine((ulong)seed, CheckSplit(split) == "train" ? 1UL : 2UL, (ulong)index);

    /// <summary>
    /// Writes the dataset into <paramref name="root"/> (created if needed). A folder that already holds this exact
    /// dataset, complete, is left alone unless <see cref="SyntheticShapesOptions.Force"/>. Every file is written under a
    /// temporary name and renamed; the annotation files come last, so an interrupted run is redone on the next call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds other annotations (another dataset, or other settings) and Force is off.</exception>
    public static SyntheticShapesResult Generate(string root, SyntheticShapesOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new SyntheticShapesOptions();
        options.Validate();
        bool yolo = options.Format == SyntheticShapesFormat.Yolo;
        if (!options.Force)
        {
            var existing = yolo ? SyntheticYoloLayout.Inspect(root, options) : Inspect(root, options);
            if (existing.Complete) return existing.Result!;
            if (existing.Conflict is not null)
                throw new InvalidOperationException($"'{root}' already holds {existing.Conflict}; use --force (SyntheticShapesOptions.Force) to overwrite it");
        }

        var counts = new Dictionary<string, (int Images, int Objects)>();
        var written = new Dictionary<string, CocoInstances>();
        foreach (var split in Splits)
        {
            int n = split == "train" ? options.TrainImages : options.ValImages;
            var directory = yolo ? SyntheticYoloLayout.ImageDirectory(root, split) : ImageDirectory(root, split);
            Directory.CreateDirectory(directory);
            written[split] = RenderSplit(directory, split, n, options);
            counts[split] = (n, written[split].Annotations!.Count);
        }
        if (yolo) SyntheticYoloLayout.Write(root, written, options);
        else
        {
            Directory.CreateDirectory(Path.Combine(root, "annotations"));
            foreach (var split in Splits) written[split].Write(AnnotationFile(root, split));
        }
        return new SyntheticShapesResult(root, true, counts["train"].Images, counts["val"].Images, counts["train"].Objects, counts["val"].Objects);
    }

    static CocoInstances RenderSplit(string directory, string split, int count, SyntheticShapesOptions options)
    {
        var objects = new IReadOnlyList<SyntheticObject>[count];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount,
        };
        Parallel.For(0, count, parallel, i =>
        {
            var scene = SceneRenderer.Render(options.ImageSize, ImageSeed(options.Seed, split, i), options.MaxObjects, options.Style);
            var png = PngEncoder.Encode(scene.Image, PngCompressionLevel, PngHuffmanOnly, PngFilterSubUp);
            AtomicFile.WriteAllBytes(Path.Combine(directory, FileName(i)), png, flushToDisk: false);
            objects[i] = scene.Objects;
        });

        var instances = new CocoInstances
        {
            Info = Info(split, count, options),
            Images = [],
            Annotations = [],
            Categories = Categories(options.Classes).Select(c => new CocoCategoryEntry { Id = c.Id, Name = c.Name, Supercategory = "shape" }).ToList(),
        };
        var categoryIds = CategoryIds(options.Classes);
        long annotationId = 1;
        for (int i = 0; i < count; i++)
        {
            instances.Images.Add(new CocoImageEntry { Id = i + 1, FileName = FileName(i), Width = options.ImageSize, Height = options.ImageSize });
            foreach (var o in objects[i])
            {
                instances.Annotations.Add(new CocoAnnotationEntry
                {
                    Id = annotationId++,
                    ImageId = i + 1,
                    CategoryId = categoryIds[(int)o.Kind],
                    Bbox = [o.X, o.Y, o.Width, o.Height],
                    Area = o.VisiblePixels,
                    IsCrowd = 0,
                });
            }
        }
        return instances;
    }

    static string FileName(int index) => $"{index + 1:D6}.png";

    internal static JsonObject Info(string split, int count, SyntheticShapesOptions o)
    {
        var info = new JsonObject
        {
            ["description"] = "DetrSharp synthetic shapes",
            ["generator"] = Generator,
            ["format_version"] = FormatVersion,
            ["split"] = split,
            ["seed"] = o.Seed,
            ["images"] = count,
            ["image_size"] = o.ImageSize,
            ["max_objects"] = o.MaxObjects,
        };
        // recorded only when not the default, so that folders written before these options are still recognised
        if (o.Style != SyntheticStyle.Standard) info["style"] = StyleName(o.Style);
        if (o.Classes != ShapeGeometry.KindCount) info["classes"] = o.Classes;
        return info;
    }

    /// <summary>The style's name on the command line and in files ("standard", "pastel").</summary>
    public static string StyleName(SyntheticStyle style) => style.ToString().ToLowerInvariant();

    /// <summary>The style of a name (<see cref="StyleName"/>), case-insensitive.</summary>
    /// <exception cref="ArgumentException">Not a style's name.</exception>
    public static SyntheticStyle ParseStyle(string name)
    {
        foreach (var style in Enum.GetValues<SyntheticStyle>())
            if (StyleName(style) == name.Trim().ToLowerInvariant()) return style;
        throw new ArgumentException($"'{name}' is not a synthetic style (one of: {string.Join(", ", Enum.GetValues<SyntheticStyle>().Select(StyleName))})", nameof(name));
    }

    internal sealed record Inspection(bool Complete, string? Conflict, SyntheticShapesResult? Result);

    /// <summary>Whether the folder already holds this dataset complete, something that must not be overwritten silently, or nothing usable.</summary>
    static Inspection Inspect(string root, SyntheticShapesOptions options)
    {
        bool complete = true;
        int trainObjects = 0, valObjects = 0;
        foreach (var split in Splits)
        {
            var file = AnnotationFile(root, split);
            if (!File.Exists(file)) { complete = false; continue; }
            CocoInstances existing;
            try { existing = CocoInstances.Read(file); }
            catch (DatasetException) { return new Inspection(false, $"an unreadable annotation file '{file}'", null); }
            var info = existing.Info;
            if (info?["generator"]?.ToString() != Generator)
                return new Inspection(false, $"annotations not written by the synthetic generator ('{file}')", null);
            int wanted = split == "train" ? options.TrainImages : options.ValImages;
            var expected = Info(split, wanted, options);
            var differing = expected.Where(kv => !JsonNode.DeepEquals(kv.Value, info[kv.Key])).Select(kv => kv.Key).ToList();
            if (differing.Count > 0)
            {
                var settings = string.Join(", ", differing.Select(k => $"{k} {info[k]?.ToJsonString() ?? "missing"} (asked {expected[k]!.ToJsonString()})"));
                return new Inspection(false, $"a synthetic dataset made with other settings: {settings}", null);
            }
            var images = existing.Images ?? [];
            if (images.Count != wanted || images.Any(im => !File.Exists(Path.Combine(ImageDirectory(root, split), im.FileName ?? ""))))
                complete = false;
            if (split == "train") trainObjects = existing.Annotations?.Count ?? 0;
            else valObjects = existing.Annotations?.Count ?? 0;
        }
        return complete
            ? new Inspection(true, null, new SyntheticShapesResult(root, false, options.TrainImages, options.ValImages, trainObjects, valObjects))
            : new Inspection(false, null, null);
    }

    static string CheckSplit(string split) => split is "train" or "val"
        ? split
        : throw new ArgumentException($"split '{split}' is neither \"train\" nor \"val\"", nameof(split));
}
