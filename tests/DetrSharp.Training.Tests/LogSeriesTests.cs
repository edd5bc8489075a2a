using Xunit;

namespace DetrSharp.Training.Tests;

/// <summary>results.png's curves read from log.jsonl: every train field against step, then AP and AP50.</summary>
public class LogSeriesTests
{
    [Fact]
    public void TrainFieldsAndEvaluationsBecomeCurvesInOrder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "detrsharp-logseries-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var log = Path.Combine(dir, RunLog.FileName);
            File.WriteAllText(log, string.Join("\n",
                "{\"type\":\"train\",\"time\":\"t\",\"step\":1,\"epoch\":1,\"lr\":0.001,\"step_seconds\":0.5,\"loss\":3,\"loss_ce\":2,\"loss_bbox\":1}",
                "{\"type\":\"skipped\",\"step\":1,\"split\":\"train\",\"reason\":\"x\"}",
                "{\"type\":\"train\",\"time\":\"t\",\"step\":2,\"epoch\":1,\"lr\":0.002,\"step_seconds\":0.5,\"loss\":2,\"loss_ce\":1.5,\"loss_bbox\":0.5}",
                "{\"type\":\"eval\",\"step\":2,\"epoch\":1,\"AP\":0.1,\"AP50\":0.3,\"per_category_AP\":{\"a\":0.1}}",
                "{\"type\":\"train\",\"step\":3,\"loss\":") + "\n"); // a line cut short by a kill
            var series = LogSeries.Read(log);
            Assert.Equal(["loss", "loss_bbox", "loss_ce", "lr", "AP", "AP50"], series.Select(s => s.Key));
            Assert.Equal([(1.0, 3.0), (2.0, 2.0)], series[0].Value);
            Assert.Equal([(1.0, 0.001), (2.0, 0.002)], series[3].Value);
            Assert.Equal([(2.0, 0.3)], series[5].Value);
            Assert.Equal(["AP", "AP50"], LogSeries.Read(Path.Combine(dir, "missing.jsonl")).Select(s => s.Key));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
