using System.CommandLine;
using DetrSharp.Cli.Bench;
using DetrSharp.Cli.Commands;

namespace DetrSharp.Cli;

/// <summary>The `detrsharp` command: its subcommands and the one-line error handling of DESIGN.md.</summary>
public static class CliApp
{
    /// <summary>The arguments of the command running now (`train --nproc` starts its workers with them).</summary>
    public static IReadOnlyList<string> CurrentArgs { get; private set; } = [];

    public static int Run(string[] args)
    {
        CurrentArgs = args;
        var root = new RootCommand($"DetrSharp: train, evaluate and run end-to-end object detectors in C# (families: {string.Join(", ", DetrSharp.Detection.Families.DetectorRegistry.Names)}).");
        foreach (var c in AllCommands()) root.Subcommands.Add(c);
        try
        {
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"detrsharp: error: {ParseError(error.Message)}");
                var command = parsed.CommandResult.Command;
                Console.Error.WriteLine($"see: detrsharp {(command == root ? "" : command.Name + " ")}--help");
                return 1;
            }
            return parsed.Invoke(config);
        }
        catch (Exception e)
        {
            var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
            Console.Error.WriteLine($"detrsharp: error: {UserMessage(inner)}");
            if (Environment.GetEnvironmentVariable("DETRSHARP_DEBUG") == "1") Console.Error.WriteLine(inner);
            return 1;
        }
    }

    /// <summary>A command-line parse error in the project's words (no .NET type names).</summary>
    public static string ParseError(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$");
        if (!m.Success) return message;
        var type = m.Groups[3].Value;
        string what = type.Contains("Double") || type.Contains("Single") ? "a number"
            : type.Contains("Int32") || type.Contains("Int64") ? "a whole number"
            : type.Contains("Boolean") ? "true or false" : "another kind of value";
        return $"{m.Groups[2].Value} expects {what}, got '{m.Groups[1].Value}'";
    }

    /// <summary>An exception's message for the console: one line, without the " (Parameter 'x')" .NET appends.</summary>
    public static string UserMessage(Exception e)
    {
        var text = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            if (text.EndsWith(suffix, StringComparison.Ordinal)) text = text[..^suffix.Length];
        }
        return System.Text.RegularExpressions.Regex.Replace(text, @" \(Parameter '[^']*'\)", "").ReplaceLineEndings(" ");
    }

    static IEnumerable<Command> AllCommands()
    {
        yield return BenchCommand.Create();
        yield return Commands.InspectCommand.Create();
        yield return Commands.CocoEvalCommand.Create();
        yield return Commands.SynthCommand.Create();
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return PredictCommand.Create();
        yield return ReportCommand.Create();
        yield return ExportCommand.Create();
    }
}
