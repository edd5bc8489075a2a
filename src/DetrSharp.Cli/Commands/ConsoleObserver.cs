using DetrSharp.Training;
using Spectre.Console;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// Shows a run: a progress bar with ETA and live loss terms when the console is interactive, plain lines
/// (every log_every steps) when output is redirected.
/// </summary>
public sealed class ConsoleObserver : ITrainingObserver
{
    readonly bool _interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    ProgressTask? _task;
    int _logEvery = 10;
    double _smoothed = double.NaN;

    public bool Interactive => _interactive;

    /// <summary>Runs <paramref name="work"/> inside a live progress display (or directly when not interactive).</summary>
    public T Run<T>(Func<T> work)
    {
        if (!_interactive) return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _task = ctx.AddTask("training", maxValue: 1);
                result = work();
                _task.StopTask();
            });
        return result;
    }

    public void RunStarted(RunConfig config, long totalSteps, TrainingProgress start)
    {
        _logEvery = Math.Max(1, config.Runtime.LogEvery);
        if (_task != null)
        {
            _task.MaxValue = Math.Max(1, totalSteps);
            _task.Value = start.Step;
        }
        else Console.WriteLine($"training: {totalSteps} steps from step {start.Step} (epoch {start.Epoch})");
    }

    public void StepDone(long step, long totalSteps, int epoch, IReadOnlyDictionary<string, double> losses, double lr, double stepSeconds)
    {
        double loss = losses["loss"];
        _smoothed = double.IsNaN(_smoothed) ? loss : 0.9 * _smoothed + 0.1 * loss;
        string Term(string k) => losses.TryGetValue(k, out var v) ? $"{k[5..]} {v:F3}" : "";
        var terms = string.Join(" ", new[] { "loss_ce", "loss_bbox", "loss_giou" }.Select(Term).Where(s => s.Length > 0));
        if (_task != null)
        {
            _task.Value = step;
            _task.Description = Markup.Escape($"epoch {epoch} step {step}/{totalSteps} loss {_smoothed:F3} ({terms}) lr {lr:G2}");
        }
        else if (step % _logEvery == 0 || step == totalSteps)
        {
            Console.WriteLine($"epoch {epoch} step {step}/{totalSteps} loss {_smoothed:F4} {terms} lr {lr:G3} {stepSeconds:F2}s/step");
        }
    }

    public void EvaluationStarted(int epoch)
    {
        if (_task != null) _task.Description = $"epoch {epoch}: evaluating";
        else Console.WriteLine($"epoch {epoch}: evaluating");
    }

    public void EvaluationDone(int epoch, EvalResult result)
    {
        var line = $"epoch {epoch}: AP {result.Stats["AP"]:F3}  AP50 {result.Stats["AP50"]:F3}  AP75 {result.Stats["AP75"]:F3}";
        if (_task != null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }

    public void Message(string text)
    {
        if (_task != null) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }

    /// <summary>The end-of-run summary table.</summary>
    public static void PrintSummary(EvalResult result, string runDir, TimeSpan elapsed, long steps)
    {
        if (Console.IsOutputRedirected)
        {
            foreach (var l in result.Lines) Console.WriteLine(l);
            Console.WriteLine($"run folder: {runDir}  steps: {steps}  time: {elapsed:hh\\:mm\\:ss}");
            return;
        }
        var table = new Table().Title("COCO bbox evaluation (validation split)").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var k in EvalResult.Keys) table.AddRow(k, result.Stats[k].ToString("F3"));
        AnsiConsole.Write(table);
        if (result.PerCategoryAP.Count > 0)
        {
            var per = new Table().Title("AP per category").AddColumn("category").AddColumn(new TableColumn("AP").RightAligned());
            foreach (var (n, ap) in result.PerCategoryAP) per.AddRow(Markup.Escape(n), ap.ToString("F3"));
            AnsiConsole.Write(per);
        }
        AnsiConsole.MarkupLine(Markup.Escape($"run folder: {runDir}  steps: {steps}  time: {elapsed:hh\\:mm\\:ss}"));
    }
}
