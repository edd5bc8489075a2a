using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DetrSharp.Cli.Commands;

/// <summary>
/// `detrsharp train --nproc N`: the standalone launch (torchrun's job on one machine). Starts N workers — this same
/// program with the same arguments less --nproc — with torchrun's variables (WORLD_SIZE, RANK, LOCAL_RANK,
/// MASTER_ADDR=127.0.0.1, MASTER_PORT a free port), and watches them: when one fails, it names the rank, lets the
/// others stop on their own (their next collective fails within runtime.dist_timeout_seconds), then kills what is left.
/// </summary>
public static class WorkerLauncher
{
    /// <summary>Runs the workers to the end; returns 0, or the exit code of the first worker that failed.</summary>
    public static int Run(int nproc, IReadOnlyList<string> workerArgs, TimeSpan timeout)
    {
        int port = FreePort();
        // this program's own assembly (also when the command runs inside another host, as the tests do)
        var entry = typeof(WorkerLauncher).Assembly.Location;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        bool viaHost = entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        Console.Error.WriteLine($"detrsharp: starting {nproc} workers (ranks 0-{nproc - 1}) on 127.0.0.1:{port}");
        var workers = new List<Process>();
        bool stopping = false;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true; // forwarded: the workers agree on the step, rank 0 checkpoints, all exit as a single run would
            stopping = true;
            foreach (var w in workers) Signal(w, 15);
        });
        // Ctrl-C reaches the workers from the terminal themselves: the launcher only waits for them
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            stopping = true;
        });
        try
        {
            for (int rank = 0; rank < nproc; rank++)
            {
                var psi = new ProcessStartInfo(viaHost ? host : entry) { UseShellExecute = false };
                if (viaHost) psi.ArgumentList.Add(entry);
                foreach (var a in workerArgs) psi.ArgumentList.Add(a);
                psi.Environment["WORLD_SIZE"] = nproc.ToString();
                psi.Environment["RANK"] = rank.ToString();
                psi.Environment["LOCAL_RANK"] = rank.ToString();
                psi.Environment["LOCAL_WORLD_SIZE"] = nproc.ToString();
                psi.Environment["MASTER_ADDR"] = "127.0.0.1";
                psi.Environment["MASTER_PORT"] = port.ToString();
                // the cores are shared by the workers: libtorch's threads per worker, unless the user chose
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")))
                    psi.Environment["OMP_NUM_THREADS"] = Math.Max(1, Environment.ProcessorCount / nproc).ToString();
                workers.Add(Process.Start(psi) ?? throw new InvalidOperationException($"could not start worker rank {rank}"));
            }
            return Watch(workers, timeout, () => stopping);
        }
        finally
        {
            foreach (var w in workers)
            {
                try { if (!w.HasExited) w.Kill(); } catch (InvalidOperationException) { }
                w.Dispose();
            }
        }
    }

    static int Watch(List<Process> workers, TimeSpan timeout, Func<bool> stopping)
    {
        while (true)
        {
            // the first to fail (the others usually fail after it, of its death)
            var first = workers.Where(w => w.HasExited && w.ExitCode != 0).MinBy(w => w.ExitTime);
            if (first != null)
            {
                int failed = workers.IndexOf(first);
                int code = workers[failed].ExitCode;
                string how = code > 128 ? $"was killed by signal {code - 128}" : $"exited with code {code}";
                Console.Error.WriteLine(stopping()
                    ? $"detrsharp: interrupted: worker rank {failed} (pid {workers[failed].Id}) {how}; waiting for the other ranks"
                    : $"detrsharp: error: worker rank {failed} (pid {workers[failed].Id}) {how}; stopping the other ranks");
                var deadline = Stopwatch.StartNew();
                foreach (var w in workers)
                {
                    var left = timeout + TimeSpan.FromSeconds(10) - deadline.Elapsed;
                    if (left > TimeSpan.Zero) w.WaitForExit(left);
                    if (!w.HasExited) w.Kill();
                }
                return code;
            }
            if (workers.All(w => w.HasExited)) return 0;
            Thread.Sleep(100);
        }
    }

    /// <summary>The arguments without --nproc and its value.</summary>
    public static List<string> WithoutNproc(IReadOnlyList<string> args)
    {
        var kept = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--nproc") { i++; continue; }
            if (args[i].StartsWith("--nproc=", StringComparison.Ordinal)) continue;
            kept.Add(args[i]);
        }
        return kept;
    }

    /// <summary>A TCP port nobody listens on now (the OS's choice).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int signal);

    static void Signal(Process p, int signal)
    {
        try { if (!p.HasExited) SysKill(p.Id, signal); } catch (InvalidOperationException) { }
    }
}
