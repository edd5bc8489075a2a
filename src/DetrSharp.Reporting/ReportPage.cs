using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetrSharp.Torch.IO;

namespace DetrSharp.Reporting;

/// <summary>
/// RUN/report.html: one static page (no script, no network; the pictures are the PNG files beside it) with the
/// run's configuration (config.json), the final COCO stats (eval.json), the per-class AP table and every picture
/// the run folder holds.
/// </summary>
public static class ReportPage
{
    /// <summary>Writes the page into <paramref name="runDirectory"/> and returns its path.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no config.json (it is not a run folder).</exception>
    public static string Write(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) throw new DirectoryNotFoundException($"run folder not found: {runDirectory}");
        var configPath = Path.Combine(runDirectory, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{runDirectory} is not a run folder: it has no config.json (`detrsharp train --out {runDirectory}` writes one)", configPath);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        html.Append($"<title>DetrSharp run {Esc(Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd('/')))}</title>\n");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1600px}table{border-collapse:collapse;margin:1em 0}" +
                    "td,th{border:1px solid #bbb;padding:3px 10px;text-align:right}th{background:#eee}td.name{text-align:left}" +
                    "img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>\n");
        html.Append("</head><body>\n");
        html.Append($"<h1>Run {Esc(Path.GetFullPath(runDirectory))}</h1>\n");
        AppendStats(html, Path.Combine(runDirectory, "eval.json"));
        html.Append("<h2>Pictures</h2>\n");
        int shown = 0;
        foreach (var name in RunPictureNames.All)
        {
            if (!File.Exists(Path.Combine(runDirectory, name))) continue;
            html.Append($"<h3>{Esc(name)}</h3>\n<img src=\"{Esc(name)}\" alt=\"{Esc(name)}\">\n");
            shown++;
        }
        if (shown == 0) html.Append("<p>No pictures yet: a run writes them at each evaluation and at the end.</p>\n");
        html.Append("<h2>Configuration (config.json)</h2>\n<pre id=\"config\">");
        html.Append(Esc(Pretty(File.ReadAllText(configPath))));
        html.Append("</pre>\n</body></html>\n");
        var path = Path.Combine(runDirectory, RunPictureNames.Report);
        AtomicFile.WriteAllText(path, html.ToString());
        return path;
    }

    static void AppendStats(StringBuilder html, string evalPath)
    {
        html.Append("<h2>Final evaluation (eval.json)</h2>\n");
        if (!File.Exists(evalPath))
        {
            html.Append("<p>No eval.json: the run has not finished its final evaluation.</p>\n");
            return;
        }
        if (JsonNode.Parse(File.ReadAllText(evalPath)) is not JsonObject stats)
            throw new InvalidDataException($"{evalPath}: not a JSON object");
        html.Append("<table id=\"stats\"><tr>");
        var keys = stats.Where(kv => kv.Value is JsonValue).Select(kv => kv.Key).ToList();
        foreach (var k in keys) html.Append($"<th>{Esc(k)}</th>");
        html.Append("</tr><tr>");
        foreach (var k in keys) html.Append($"<td>{Number(stats[k])}</td>");
        html.Append("</tr></table>\n");
        if (stats["per_category_AP"] is JsonObject per)
        {
            html.Append("<h2>AP per class</h2>\n<table id=\"per-class\"><tr><th>class</th><th>AP</th></tr>\n");
            foreach (var (name, ap) in per) html.Append($"<tr><td class=\"name\">{Esc(name)}</td><td>{Number(ap)}</td></tr>\n");
            html.Append("</table>\n");
        }
    }

    static string Number(JsonNode? node)
        => node is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("F3", CultureInfo.InvariantCulture) : Esc(node?.ToJsonString() ?? "");

    static string Pretty(string json)
    {
        try { return JsonNode.Parse(json)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? json; }
        catch (JsonException) { return json; }
    }

    static string Esc(string s) => WebUtility.HtmlEncode(s);
}
