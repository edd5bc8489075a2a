namespace DetrSharp.Data.Imaging;

/// <summary>
/// An image could not be read or decoded: unreadable file, unknown format, corrupt or truncated data.
/// The message names the file (or the name given for an in-memory buffer) and the codec's own message.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>The file path, or the name given for an in-memory buffer.</summary>
    public string ImageName { get; }

    /// <summary>The message reads "cannot decode image 'NAME': PROBLEM".</summary>
    public ImageDecodeException(string imageName, string problem, Exception? inner = null)
        : base($"cannot decode image '{imageName}': {problem}", inner)
    {
        ImageName = imageName;
    }
}
