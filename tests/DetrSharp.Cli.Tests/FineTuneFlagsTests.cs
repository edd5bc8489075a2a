using System.Text.Json.Nodes;
using Xunit;

namespace DetrSharp.Cli.Tests;

/// <summary>`train --weights` and `--freeze` set model.init_from and model.freeze; a bad --freeze is an error in the project's words.</summary>
public class FineTuneFlagsTests
{
    [Fact]
    public void WeightsAndFreezeReachTheModelSection()
    {
        var r = CliRun.Run("train", "--model", "yolov8", "--weights", "yolov8n.pt", "--freeze", "10", "--print-config");
        Assert.Equal(0, r.ExitCode);
        var model = JsonNode.Parse(r.Out)!["model"]!;
        Assert.Equal("yolov8n.pt", (string?)model["init_from"]);
        Assert.Equal("10", (string?)model["freeze"]);
        // --set takes the number as JSON
        var s = CliRun.Run("train", "--set", "model.freeze=3", "--print-config");
        Assert.Equal(0, s.ExitCode);
        Assert.Equal("3", (string?)JsonNode.Parse(s.Out)!["model"]!["freeze"]);
    }

    [Theory]
    [InlineData("head")]
    [InlineData("0")]
    public void ABadFreezeIsAnErrorSayingWhatItMayBe(string value)
    {
        var r = CliRun.Run("train", "--freeze", value, "--print-config");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"model.freeze must be 'backbone' or a number of leading modules >= 1; got '{value}'", r.Err);
        Assert.DoesNotContain("System.", r.Err);
    }
}
