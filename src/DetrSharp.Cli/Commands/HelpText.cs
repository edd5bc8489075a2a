namespace DetrSharp.Cli.Commands;

/// <summary>A command's --help description: one summary line, then examples to copy.</summary>
public static class HelpText
{
    public static string WithExamples(string summary, params string[] examples)
        => summary + "\n\nExamples:\n" + string.Join("\n", examples.Select(e => "  " + e));
}
