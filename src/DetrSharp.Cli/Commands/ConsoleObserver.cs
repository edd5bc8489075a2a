using DetrSharp.Training;
using Spectre.Console;

namespace DetrSharp.Cli.Commands;

/// <summary>What `detrsharp eval` evaluated, for its summary.</summary>
public sealed record EvaluationSummary(string Checkpoint, long Step, string Annotations, int Images, int Skipped, bool Ema, TimeSpan Elapsed);

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
        // at most 80 columns: description (<= 34), bar (20), percentage, remaining time, spinner; the loss terms go on
        // their own line every log_every steps
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _task = ctx.AddTask("training", maxValue: ProgressScale);
                result = work();
                _task.StopTask();
            });
        return result;
    }

    // the bar runs from 0 to this: the share of the run done, by steps or by the time limit, whichever is further
    const double ProgressScale = 1000;
    double _timeLimitMinutes;
    int _epochs;
    System.Diagnostics.Stopwatch _clock = new();
    long _startStep;

    public void RunStarted(RunConfig config, long totalSteps, TrainingProgress start)
    {
        _logEvery = Math.Max(1, config.Runtime.LogEvery);
        _timeLimitMinutes = config.Schedule.TimeLimitMinutes;
        _clock = System.Diagnostics.Stopwatch.StartNew();
        _startStep = start.Step;
        var limit = _timeLimitMinutes > 0 ? $", or {_timeLimitMinutes:0.##} minutes (schedule.time_limit_minutes) if sooner" : "";
        if (_task != null) _task.Value = Fraction(start.Step, totalSteps) * ProgressScale;
        _epochs = config.Schedule.Epochs;
        Message($"training: up to {totalSteps} steps ({_epochs} epochs) from step {start.Step}{limit}");
    }

    double Fraction(long step, long totalSteps) => RunFraction(step, totalSteps, _clock.Elapsed, _timeLimitMinutes);

    /// <summary>
    /// The share of the run done, which the bar shows and its ETA extrapolates: steps of the total, or (with a time
    /// limit) time of the limit, whichever is more — a time-limited run ends at the limit, not after its steps. A
    /// resumed run's time limit counts from its restart, as the trainer's does.
    /// </summary>
    public static double RunFraction(long step, long totalSteps, TimeSpan elapsed, double timeLimitMinutes)
    {
        double bySteps = totalSteps > 0 ? (double)step / totalSteps : 0;
        double byTime = timeLimitMinutes > 0 ? elapsed.TotalMinutes / timeLimitMinutes : 0;
        return Math.Clamp(Math.Max(bySteps, byTime), 0, 1);
    }

    /// <summary>The progress bar's text: the step and the smoothed total loss, at most 34 characters.</summary>
    public static string ProgressText(long step, long totalSteps, double smoothedLoss)
    {
        var text = $"step {step}/{totalSteps} avg loss {smoothedLoss:F3}";
        return text.Length <= 34 ? text : $"step {step} avg loss {smoothedLoss:F3}";
    }

    /// <summary>The loss-terms line: the weighted total of this step and each term, and the learning rate.</summary>
    public static string TermsLine(string epoch, long step, long totalSteps, IReadOnlyDictionary<string, double> losses, double smoothed, double lr, double stepSeconds)
    {
        var terms = string.Join(" ", losses.Where(kv => kv.Key.StartsWith("loss_", StringComparison.Ordinal) && !char.IsDigit(kv.Key[^1]) && !kv.Key.Contains("_enc"))
            .Select(kv => $"{kv.Key[5..]} {kv.Value:F3}"));
        return $"epoch {epoch} step {step}/{totalSteps} avg loss {smoothed:F4} (step: {losses["loss"]:F4}; {terms}) lr {lr:G3} {stepSeconds:F2}s/step";
    }

    public void StepDone(long step, long totalSteps, int epoch, IReadOnlyDictionary<string, double> losses, double lr, double stepSeconds)
    {
        double loss = losses["loss"];
        _smoothed = double.IsNaN(_smoothed) ? loss : 0.9 * _smoothed + 0.1 * loss;
        bool logLine = step % _logEvery == 0 || step == totalSteps;
        if (_task != null)
        {
            _task.Value = Fraction(step, totalSteps) * ProgressScale;
            _task.Description = Markup.Escape(ProgressText(step, totalSteps, _smoothed));
            if (logLine) AnsiConsole.MarkupLine(Markup.Escape(TermsLine($"{epoch}/{_epochs}", step, totalSteps, losses, _smoothed, lr, stepSeconds)));
        }
        else if (logLine) Console.WriteLine(TermsLine($"{epoch}/{_epochs}", step, totalSteps, losses, _smoothed, lr, stepSeconds));
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

    public void EpochsPlanned(int epochs, string text)
    {
        _epochs = epochs;
        Message(text);
    }

    public void Message(string text)
    {
        if (_task != null) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }

    /// <summary>`detrsharp eval`'s summary: the metrics, then what was evaluated (checkpoint, step, data, images, time).</summary>
    public static void PrintEvaluation(EvalResult result, EvaluationSummary what)
        => PrintMetrics(result, $"evaluated {what.Checkpoint} (step {what.Step}{(what.Ema ? ", EMA weights" : "")}) on {what.Annotations}: " +
                                $"{what.Images} images{(what.Skipped > 0 ? $", {what.Skipped} skipped" : "")}; time {what.Elapsed:hh\\:mm\\:ss}");

    /// <summary>The end-of-run summary table.</summary>
    public static void PrintSummary(EvalResult result, string runDir, TimeSpan elapsed, long steps)
        => PrintMetrics(result, $"run folder: {runDir}  steps: {steps}  time: {elapsed:hh\\:mm\\:ss}");

    static void PrintMetrics(EvalResult result, string footer)
    {
        if (Console.IsOutputRedirected)
        {
            foreach (var l in result.Lines) Console.WriteLine(l);
            Console.WriteLine(footer);
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
        AnsiConsole.MarkupLine(Markup.Escape(footer));
    }
}
