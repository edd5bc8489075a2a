using System.Diagnostics;
using System.Text.Json;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// Headless Chromium for the report test: found on PATH or installed with apt (as root, or through sudo without a
/// password, as scripts/bootstrap.sh installs its packages); <see cref="Unavailable"/> says why when neither works.
/// </summary>
public static class HeadlessChromium
{
    static readonly Lazy<(string? Path, string? Why)> Found = new(FindOrInstall);

    /// <summary>The browser's path, or null (see <see cref="Unavailable"/>).</summary>
    public static string? Path => Found.Value.Path;

    /// <summary>Why there is no browser, or null when there is one.</summary>
    public static string? Unavailable => Found.Value.Why;

    static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome"];

    static (string?, string?) FindOrInstall()
    {
        if (Which() is { } found) return (found, null);
        bool root = Run("id", ["-u"], 10).Out.Trim() == "0";
        if (!root && Run("sudo", ["-n", "true"], 10).Code != 0)
            return (null, "Chromium is not installed and cannot be: not root and no password-less sudo (apt-get install chromium)");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        (int Code, string Out, string Err) Apt(int seconds, params string[] args) =>
            root ? Run("apt-get", args, seconds, env) : Run("sudo", ["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", .. args], seconds);
        var update = Apt(600, "update", "-qq");
        var install = Apt(900, "install", "-y", "-qq", "--no-install-recommends", "chromium");
        return Which() is { } installed
            ? (installed, null)
            : (null, $"Chromium is not installed and apt-get could not install it (no network or no package?): update exit {update.Code}, install exit {install.Code}: {Last(install.Err)}");
    }

    static string? Which() => Names
        .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => System.IO.Path.Combine(d, n)))
        .FirstOrDefault(File.Exists);

    static string Last(string text) => text.Length <= 300 ? text.Trim() : text[^300..].Trim();

    /// <summary>What a page rendered to: the screenshot and the URLs the page itself asked the network for.</summary>
    public sealed record Rendering(string Screenshot, IReadOnlyList<string> NetworkRequests, string Log);

    /// <summary>
    /// Renders <paramref name="html"/> headless into a <paramref name="width"/> × <paramref name="height"/> PNG,
    /// recording the network log: the page's requests are the URL requests made for a document (the browser's own
    /// background requests have no origin: "initiator": "not an origin"); file:// loads never reach the network log.
    /// </summary>
    public static Rendering Render(string html, string outDir, int width, int height)
    {
        var shot = System.IO.Path.Combine(outDir, System.IO.Path.GetFileNameWithoutExtension(html) + "-screenshot.png");
        var netLog = System.IO.Path.Combine(outDir, System.IO.Path.GetFileNameWithoutExtension(html) + "-netlog.json");
        var profile = System.IO.Path.Combine(outDir, "chromium-profile");
        var r = Run(Path!, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", $"--screenshot={shot}", $"--log-net-log={netLog}",
            new Uri(System.IO.Path.GetFullPath(html)).AbsoluteUri,
        ], 180);
        if (!File.Exists(shot)) throw new InvalidOperationException($"chromium wrote no screenshot (exit {r.Code}): {Last(r.Err)}");
        return new Rendering(shot, PageRequests(netLog), r.Err);
    }

    static List<string> PageRequests(string netLog)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(netLog));
        int startJob = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var urls = new List<string>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() != startJob || !e.TryGetProperty("params", out var p) || !p.TryGetProperty("url", out var url)) continue;
            var initiator = p.TryGetProperty("initiator", out var i) ? i.GetString() : null;
            if (initiator != "not an origin") urls.Add(url.GetString()!);
        }
        return urls;
    }

    static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, int seconds, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(seconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                return (-1, stdout.Result, $"{file} ran past {seconds} s");
            }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, "", $"{file}: {e.Message}"); }
    }
}
