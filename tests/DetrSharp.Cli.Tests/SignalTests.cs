using System.Diagnostics;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`detrsharp train` as its own process, stopped by SIGTERM (docker stop) and by Ctrl-C twice.</summary>
[Collection(TinyRunCollection.Name)]
public class SignalTests(TinyRun tiny)
{
    sealed class Child : IDisposable
    {
        readonly Process _process;
        readonly TaskCompletionSource _stepSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly System.Text.StringBuilder _out = new(), _err = new();

        public Child(IEnumerable<string> args)
        {
            // A shell starts background jobs with SIGINT ignored, children inherit that, and .NET then leaves SIGINT
            // alone (as nohup expects): when the tests themselves run in the background (CI, `./test.sh &`) Ctrl-C
            // would never reach the child. Perl (essential on Debian) restores the default disposition before exec.
            var psi = new ProcessStartInfo("perl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-e");
            psi.ArgumentList.Add("$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"");
            psi.ArgumentList.Add("dotnet");
            psi.ArgumentList.Add(typeof(CliApp).Assembly.Location);
            foreach (var a in args) psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (_out) _out.AppendLine(e.Data);
                if (e.Data.Contains("step 2/")) _stepSeen.TrySetResult();
            };
            _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Out { get { lock (_out) return _out.ToString(); } }
        public string Err { get { lock (_err) return _err.ToString(); } }

        public void WaitForStep2() => Assert.True(_stepSeen.Task.Wait(TimeSpan.FromMinutes(3)), "no step 2 within 3 minutes:\n" + Out + Err);

        public void Signal(string name)
        {
            using var kill = Process.Start("kill", $"-{name} {_process.Id}")!;
            kill.WaitForExit();
        }

        public int WaitForExit()
        {
            Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(2)), "did not exit within 2 minutes after the signal");
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }

    [Fact]
    public void SigtermCheckpointsSaysHowToResumeAndExitsWith143()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = tiny.NewDir("sigterm");
        int code;
        string err;
        using (var child = new Child(tiny.TrainArgs(dir, 100_000)))
        {
            child.WaitForStep2();
            child.Signal("TERM");
            code = child.WaitForExit();
            err = child.Err;
        }
        Assert.True(code == 143, $"exit {code}: {err}");
        Assert.Contains("interrupted (SIGTERM)", err);
        Assert.Contains("run the same command again", err);
        Assert.False(File.Exists(Path.Combine(dir, "eval.json")), "a final evaluation ran");
        long step;
        using (var ck = Checkpoint.Load(Path.Combine(dir, "checkpoint.pth"))) step = ck.Progress.Step;
        Assert.True(step >= 2);

        var resumed = CliRun.Run(tiny.TrainArgs(dir, (int)step + 1));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"step {step}", resumed.Out);
    }

    [Fact]
    public void ASecondCtrlCStopsAtOnce()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = tiny.NewDir("sigint");
        // steps of seconds (large images), so both signals arrive within one step
        using var child = new Child(tiny.TrainArgs(dir, 100_000, "data.train_scales=[640]", "data.max_size=800"));
        child.WaitForStep2();
        child.Signal("INT");
        Thread.Sleep(300); // as a person presses it twice (signals sent together may merge into one)
        child.Signal("INT");
        Assert.Equal(130, child.WaitForExit());
        Assert.Contains("stopping now", child.Err);
    }
}
