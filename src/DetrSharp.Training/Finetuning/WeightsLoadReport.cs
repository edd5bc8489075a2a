namespace DetrSharp.Training;

/// <summary>
/// What starting a model from a weights file did, by state-dict key: loaded, re-initialised (the file's tensor has
/// another shape, e.g. a class head for another class count: the tensor keeps the family's init), missing from the file
/// (keeps the family's init) and unexpected (in the file, not in the model: left out).
/// </summary>
public sealed record WeightsLoadReport(
    string Path, string Description, IReadOnlyList<string> Loaded, IReadOnlyList<(string Key, long[] File, long[] Model)> Reinitialised,
    IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected)
{
    /// <summary>Names of the re-initialised tensors.</summary>
    public IReadOnlyList<string> ReinitialisedKeys => Reinitialised.Select(r => r.Key).ToList();

    /// <summary>A few lines for the console: counts, the re-initialised names with both shapes, and the first names left out.</summary>
    public string Summary()
    {
        static string Shape(long[] s) => "[" + string.Join(", ", s) + "]";
        static string Some(IReadOnlyList<string> keys, int n = 6) => string.Join(", ", keys.Take(n)) + (keys.Count > n ? $", ... ({keys.Count - n} more)" : "");
        var lines = new List<string>
        {
            $"weights: {Path} ({Description}): {Loaded.Count} tensors loaded, {Reinitialised.Count} re-initialised (shape differs), " +
            $"{Missing.Count} not in the file (family init), {Unexpected.Count} in the file but not in the model (left out)",
        };
        if (Reinitialised.Count > 0)
            lines.Add("  re-initialised: " + string.Join(", ", Reinitialised.Select(r => $"{r.Key} {Shape(r.File)} -> {Shape(r.Model)}")));
        if (Missing.Count > 0) lines.Add("  not in the file: " + Some(Missing));
        if (Unexpected.Count > 0) lines.Add("  left out: " + Some(Unexpected));
        return string.Join(Environment.NewLine, lines);
    }
}
