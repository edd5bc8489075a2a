namespace DetrSharp.Evaluation;

/// <summary>
/// A COCO ground-truth or results input that cannot be evaluated: malformed JSON, a record
/// missing a field or holding a wrong value, or detections that do not fit the ground truth.
/// The message names the input and, where there is one, the record.
/// </summary>
public sealed class CocoDataException : FormatException
{
    /// <summary>The input at fault: a file path, or a description such as "detections".</summary>
    public string Input { get; }

    /// <summary>The offending record, e.g. <c>annotations[12]</c>, or null when the whole input is at fault.</summary>
    public string? Record { get; }

    /// <summary>Creates the exception; the message becomes "INPUT: RECORD: PROBLEM".</summary>
    public CocoDataException(string input, string? record, string problem, Exception? inner = null)
        : base(record == null ? $"{input}: {problem}" : $"{input}: {record}: {problem}", inner)
    {
        Input = input;
        Record = record;
    }
}
