using System.Text.Json.Nodes;
using DetrSharp.Data.Synthetic;
using DetrSharp.Training;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>
/// The evaluation at the end of `train --nproc 2` is sharded over the two worker processes (c10d Gloo on loopback) and
/// gathered to rank 0: its eval.json equals what `eval` of the same checkpoint gives in one process. 7 validation images,
/// so rank 1 pads its share with image 0 (counted once); batch 1, so that every image is predicted alone in both.
/// This checks the path through two processes (launch, gather, rank 0's eval.json); a 2-step model scores zero, so the
/// detections themselves are compared by ShardedEvaluationTests (Training tests), whose untrained model's are compared
/// one by one.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class DistributedEvalTests(TinyRun tiny)
{
    [Fact]
    public void TwoProcessEvaluationEqualsOneProcessEvaluation()
    {
        var data = tiny.NewDir("ddp-eval-data");
        SyntheticShapes.Generate(data, new SyntheticShapesOptions { TrainImages = 4, ValImages = 7, ImageSize = 96, Seed = 13, MaxObjects = 2 });
        var dir = tiny.NewDir("ddp-eval");
        var args = tiny.TrainArgs(dir, 2, "--nproc", "2", "--set", "runtime.dist_timeout_seconds=30", "data.batch_size=1");
        args[Array.IndexOf(args, "--data") + 1] = data;
        var r = CliRun.Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());

        var single = Path.Combine(dir, "single-eval.json");
        r = CliRun.Run("eval", "--checkpoint", Path.Combine(dir, Checkpoint.FileName), "--data", data, "--json", single);
        Assert.True(r.ExitCode == 0, r.ToString());

        var sharded = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "eval.json")))!.AsObject();
        var whole = JsonNode.Parse(File.ReadAllText(single))!.AsObject();
        foreach (var key in EvalResult.Keys)
            Assert.True((double)sharded[key]! == (double)whole[key]!, $"{key}: {sharded[key]} from 2 processes, {whole[key]} from one");
        Assert.Equal(whole["per_category_AP"]!.ToJsonString(), sharded["per_category_AP"]!.ToJsonString());
    }
}
