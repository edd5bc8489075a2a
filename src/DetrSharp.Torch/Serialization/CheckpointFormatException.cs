namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A checkpoint file that cannot be read: truncated, corrupt (bad CRC, broken zip directory),
/// an unsupported pickle opcode, a storage shorter than its tensor needs. The message starts with
/// the file's name and says what is wrong.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>The file (or stream description) being read.</summary>
    public string File { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    public CheckpointFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Problem = problem;
    }
}
