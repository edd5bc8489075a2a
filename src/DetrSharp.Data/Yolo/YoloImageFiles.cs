using DetrSharp.Data.Coco;

namespace DetrSharp.Data.Yolo;

/// <summary>
/// The images of a YOLO split and their label files, found as ultralytics finds them: a folder source gives every
/// image file below it (recursively), a .txt source lists one image path a line (relative lines are relative to the
/// list's folder); the paths are sorted. An image's label file is its path with the last "/images/" replaced by
/// "/labels/" and the extension by ".txt".
/// </summary>
public static class YoloImageFiles
{
    /// <summary>ultralytics' IMG_FORMATS: what is listed. Only JPEG and PNG decode; the others are reported as unreadable.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "bmp", "dng", "jpeg", "jpg", "mpo", "png", "tif", "tiff", "webp", "pfm", "heic",
    };

    /// <summary>The image files of <paramref name="sources"/>, full paths, sorted (ordinal).</summary>
    /// <param name="sources">Folders or .txt lists, as <see cref="YoloDataYaml.SourcesOf"/> gives them.</param>
    /// <param name="where">How messages name the split, e.g. "YOLO dataset 'data.yaml' val".</param>
    /// <exception cref="DatasetException">A source does not exist or cannot be read, or no image is found.</exception>
    public static string[] List(IReadOnlyList<string> sources, string where)
    {
        var files = new List<string>();
        foreach (var source in sources)
        {
            try
            {
                if (Directory.Exists(source))
                    files.AddRange(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                        .Where(f => !Path.GetFileName(f).StartsWith('.') && IsImage(f)));
                else if (File.Exists(source))
                    files.AddRange(ReadList(source).Where(IsImage));
                else
                    throw new DatasetException($"{where}: image source '{source}' does not exist (a folder of images or a .txt list of image paths)", source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DatasetException($"{where}: cannot read image source '{source}': {e.Message}", source, inner: e);
            }
        }
        if (files.Count == 0)
            throw new DatasetException($"{where}: no images found in {string.Join(", ", sources.Select(s => $"'{s}'"))} " +
                                       $"(image files end in .{string.Join(", .", Extensions.Order())})", sources[0]);
        files.Sort(StringComparer.Ordinal);
        return files.ToArray();
    }

    /// <summary>The label file of an image: the last "/images/" becomes "/labels/", the extension ".txt".</summary>
    public static string LabelPathOf(string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        char sep = Path.DirectorySeparatorChar;
        string images = $"{sep}images{sep}", labels = $"{sep}labels{sep}";
        int at = imagePath.LastIndexOf(images, StringComparison.Ordinal);
        var path = at < 0 ? imagePath : string.Concat(imagePath.AsSpan(0, at), labels, imagePath.AsSpan(at + images.Length));
        return Path.ChangeExtension(path, ".txt");
    }

    /// <summary>The deepest folder holding every one of <paramref name="files"/> (full paths).</summary>
    public static string CommonFolder(IReadOnlyList<string> files)
    {
        var common = Path.GetDirectoryName(files[0])!;
        foreach (var f in files)
            while (!f.StartsWith(Path.TrimEndingDirectorySeparator(common) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                common = Path.GetDirectoryName(common) ?? throw new DatasetException($"'{files[0]}' and '{f}' share no folder", f);
        return common;
    }

    static IEnumerable<string> ReadList(string listFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(listFile))!;
        foreach (var raw in File.ReadLines(listFile))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            yield return Path.GetFullPath(Path.Combine(folder, line));
        }
    }

    static bool IsImage(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Length > 1 && Extensions.Contains(ext[1..]);
    }
}
