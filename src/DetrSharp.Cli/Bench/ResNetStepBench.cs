using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Cli.Bench;

/// <summary>
/// `detrsharp bench resnet-step`: the default run's backbone (ResNet-18 with trainable BatchNorm) at the default
/// run's size (batch 8, 128×128), one training step (forward, a float32 loss on the last feature map, backward, SGD)
/// in fp32, fp32 + channels_last, bf16 autocast, and bf16 + channels_last (weights and input in NHWC, which oneDNN's
/// convolutions prefer): what decides whether channels_last is applied at model build.
/// </summary>
public sealed class ResNetStepBench : IBenchSuite
{
    const int Batch = 8, Size = 128;

    public string Name => "resnet-step";
    public string Description => "ResNet-18 training step (batch 8, 128x128): fp32, bf16, each with and without channels_last";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int runs = options.Runs > 0 ? options.Runs : 5;
        int warmup = options.Warmup > 0 ? options.Warmup : 2;
        foreach (var (bf16, channelsLast) in new[] { (false, false), (false, true), (true, false), (true, true) })
            yield return Step(bf16, channelsLast, runs, warmup);
    }

    static BenchResult Step(bool bf16, bool channelsLast, int runs, int warmup)
    {
        torch.manual_seed(18);
        using var model = new ResNet(ResNetDepth.ResNet18, norm: ResNetNorm.BatchNorm);
        if (channelsLast) model.to(MemoryFormat.ChannelsLast);
        model.train();
        using var gen = new Generator(seed: 128);
        using var data = torch.NewDisposeScope();
        var input = torch.randn([Batch, 3, Size, Size], generator: gen);                     // [B, 3, H, W]
        if (channelsLast) input = input.contiguous(MemoryFormat.ChannelsLast);
        using var sgd = new optim.SGD(model.parameters(), lr: 1e-3, momentum: 0.9);
        double loss = double.NaN;

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            Tensor features;
            using (bf16 ? torch.autocast(DeviceType.CPU, ScalarType.BFloat16) : null) features = model.forward(input);   // [B, 512, H/32, W/32]
            var l = features.@float().pow(2).mean();
            sgd.zero_grad();
            l.backward();
            sgd.step();
            loss = l.item<float>();
        }

        var name = $"resnet18_train_step_b{Batch}_{Size}_{(bf16 ? "bf16" : "fp32")}{(channelsLast ? "_channels_last" : "")}";
        var result = ModelBenchTiming.Measure(name, Step, warmup, runs);
        result.Extra["precision"] = bf16 ? "bf16" : "fp32";
        result.Extra["channels_last"] = channelsLast;
        result.Extra["loss"] = Math.Round(loss, 4);
        result.Extra["threads"] = torch.get_num_threads();
        return result;
    }
}
