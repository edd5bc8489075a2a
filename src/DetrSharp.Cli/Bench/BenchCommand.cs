using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DetrSharp.Cli.Bench;

/// <summary>`detrsharp bench SUITE [--json] [--runs N]`.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var suiteArg = new Argument<string>("suite")
        {
            Description = "Which benchmark: " + string.Join(", ", BenchSuites.All.Select(s => s.Name)),
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON array of results" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per case (0 = the suite's default)" };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up runs per case (0 = the suite's default)" };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (0 = core count)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N, for the suites that run models", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16, fp16 (CUDA) or auto, for the suites that run models (detr-step, dino, yolo)", DefaultValueFactory = _ => "fp32" };
        var cmd = new Command("bench", Commands.HelpText.WithExamples("Run a benchmark suite and print its figures",
            "detrsharp bench detr-step --runs 5", "detrsharp bench detr-step --json --threads 2", "detrsharp bench detr-step --precision bf16")) { suiteArg, json, runs, warmup, threads, device, precision };
        cmd.SetAction(parse =>
        {
            var name = parse.GetValue(suiteArg)!;
            var suite = BenchSuites.All.FirstOrDefault(s => s.Name == name)
                ?? throw new ArgumentException($"unknown bench suite '{name}'; known: {string.Join(", ", BenchSuites.All.Select(s => s.Name))}");
            var options = new BenchOptions(parse.GetValue(runs), parse.GetValue(warmup), parse.GetValue(threads), parse.GetValue(device)!, parse.GetValue(precision)!);
            options.ResolvePrecision();   // a bad value is an error before any suite runs
            var results = new JsonArray();
            foreach (var r in suite.Run(options))
            {
                if (parse.GetValue(json)) results.Add(r.ToJson());
                else
                {
                    var extra = string.Join(" ", r.Extra.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString()}"));
                    Console.WriteLine($"{r.Case,-36} median {r.MedianMs,10:F4} ms  min {r.MinMs,10:F4}  max {r.MaxMs,10:F4}  runs {r.RunsMs.Count}  {extra}");
                }
            }
            if (parse.GetValue(json)) Console.WriteLine(results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }
}
