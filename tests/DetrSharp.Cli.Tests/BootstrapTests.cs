using System.Diagnostics;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// scripts/bootstrap.sh (run by ./detrsharp and ./test.sh): on a first run each step says what it builds, how long
/// it usually takes and where its log is; a second run says nothing. Run on a copy of the script in a scratch root
/// with stand-ins for dpkg-query, apt-get, cmake and dotnet that record what they were asked to do.
/// </summary>
public sealed class BootstrapTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("detrsharp-bootstrap-").FullName;
    string Stubs => Path.Combine(_root, "stubs");

    public BootstrapTests()
    {
        var repo = FindRepo();
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
        File.Copy(Path.Combine(repo, "scripts", "bootstrap.sh"), Path.Combine(_root, "scripts", "bootstrap.sh"));
        foreach (var d in new[] { "native", "src", "tests", "stubs" }) Directory.CreateDirectory(Path.Combine(_root, d));
        File.WriteAllText(Path.Combine(_root, "native", "CMakeLists.txt"), "# stand-in\n");
        File.WriteAllText(Path.Combine(_root, "src", "A.cs"), "// stand-in\n");
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project/>\n");
        File.WriteAllText(Path.Combine(_root, "DetrSharp.sln"), "\n");
        Stub("dpkg-query", "case \"$*\" in *libtorch-dev*) [ -f \"$STUBS/installed\" ] && echo 'install ok installed' ;; *) echo 'install ok installed' ;; esac");
        Stub("apt-get", "echo \"apt-get $*\" >> \"$STUBS/calls\"; case \"$*\" in *install*) touch \"$STUBS/installed\" ;; esac");
        Stub("sudo", "\"$@\"");
        Stub("cmake", "echo \"cmake $*\" >> \"$STUBS/calls\"; if [ \"$1\" = --build ]; then touch \"$2/libdetrsharp_native.so\"; else mkdir -p \"$4\"; fi");
        Stub("dotnet", "echo \"dotnet $*\" >> \"$STUBS/calls\"");
    }

    void Stub(string name, string body)
    {
        var path = Path.Combine(Stubs, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    (int Exit, string Err) Bootstrap()
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(_root, "scripts", "bootstrap.sh")])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["PATH"] = Stubs + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["STUBS"] = Stubs;
        psi.Environment.Remove("LIBTORCH_DIR");
        psi.Environment.Remove("DETRSHARP_QUIET");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public void AFirstRunSaysWhatItBuildsHowLongAndWhereItsLogIsAndASecondRunIsQuiet()
    {
        var (exit, err) = Bootstrap();
        Assert.True(exit == 0, err);
        Assert.Contains("installing Debian packages: libtorch-dev (usually 1-3 minutes)", err);
        Assert.Contains($"building the native shim (C++ against libtorch: system; usually 2-5 minutes on 2 cores, once); log: {_root}/native/build.log", err);
        Assert.Contains($"building the .NET projects (Release; usually 1-3 minutes, once); log: {_root}/build/dotnet-build.log", err);
        var calls = File.ReadAllText(Path.Combine(Stubs, "calls"));
        Assert.Contains("apt-get install", calls);
        Assert.Contains("cmake --build", calls);
        Assert.Contains("dotnet build", calls);

        File.Delete(Path.Combine(Stubs, "calls"));
        var (again, quiet) = Bootstrap();
        Assert.True(again == 0, quiet);
        Assert.Equal("", quiet);
        Assert.False(File.Exists(Path.Combine(Stubs, "calls")), "a second run rebuilt something");
    }

    [Fact]
    public void AChangedSourceRebuildsOnlyItsPart()
    {
        Assert.Equal(0, Bootstrap().Exit);
        File.Delete(Path.Combine(Stubs, "calls"));
        Thread.Sleep(1100); // file times with one-second resolution on some filesystems
        File.WriteAllText(Path.Combine(_root, "src", "A.cs"), "// changed\n");
        var (exit, err) = Bootstrap();
        Assert.True(exit == 0, err);
        Assert.Contains("building the .NET projects", err);
        Assert.DoesNotContain("native shim", err);
        Assert.DoesNotContain("cmake", File.ReadAllText(Path.Combine(Stubs, "calls")));
    }

    static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "scripts", "bootstrap.sh"))) return d.FullName;
        throw new InvalidOperationException("scripts/bootstrap.sh not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
