namespace DetrSharp.Data.Coco;

/// <summary>
/// A dataset record is unusable: malformed annotation JSON, an unknown id, a bad box, a missing image file,
/// an image whose size disagrees with its record. The message names the file and the record's ids.
/// A loader that skips bad samples catches this (and <see cref="Imaging.ImageDecodeException"/>).
/// </summary>
public class DatasetException : Exception
{
    /// <summary>The annotation file (or image file) the problem is in, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The image record concerned, when known.</summary>
    public long? ImageId { get; }

    /// <summary>The annotation record concerned, when known.</summary>
    public long? AnnotationId { get; }

    /// <summary>When this exception reports several problems at once: each of them (the first is in the message).</summary>
    public IReadOnlyList<DatasetException> Problems { get; }

    /// <summary>One problem; <paramref name="message"/> names the file and record.</summary>
    public DatasetException(string message, string? filePath = null, long? imageId = null, long? annotationId = null,
        Exception? inner = null)
        : base(message, inner)
    {
        FilePath = filePath;
        ImageId = imageId;
        AnnotationId = annotationId;
        Problems = [];
    }

    /// <summary>One exception standing for several problems found in <paramref name="filePath"/>.</summary>
    public DatasetException(string filePath, IReadOnlyList<DatasetException> problems)
        : base(Summarise(problems), problems.Count > 0 ? problems[0] : null)
    {
        FilePath = filePath;
        ImageId = problems.Count > 0 ? problems[0].ImageId : null;
        AnnotationId = problems.Count > 0 ? problems[0].AnnotationId : null;
        Problems = problems;
    }

    static string Summarise(IReadOnlyList<DatasetException> problems) => problems.Count switch
    {
        0 => "no problems",
        1 => problems[0].Message,
        _ => $"{problems[0].Message} (and {problems.Count - 1} more problem(s) in the same file)",
    };
}
