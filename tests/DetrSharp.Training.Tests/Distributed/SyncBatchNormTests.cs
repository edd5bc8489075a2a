using System.Net;
using System.Net.Sockets;
using DetrSharp.Torch;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>
/// SyncBatchNorm over two ranks (threads of this process, Gloo over loopback), each with half of a batch, normalises
/// as one BatchNorm2d with the whole batch: the same outputs, input gradients and running statistics, and weight and
/// bias gradients whose sum over the ranks is the whole batch's (the data-parallel averaging then sums them).
/// </summary>
[Collection(SerialTraining.Name)]
public class SyncBatchNormTests
{
    const int Batch = 8, Half = 4;

    sealed record Result(float[] Output, float[] InputGrad, float[] WeightGrad, float[] BiasGrad, float[] RunningMean, float[] RunningVar);


    // a loss weighted per element, so no gradient is trivially zero; two training steps, the second on shifted input
    static Result Run(Tensor x, Tensor weights, Func<nn.Module, int>? sync = null)
    {
        using var scope = torch.NewDisposeScope();
        var bn = nn.BatchNorm2d(3);
        int converted = sync?.Invoke(bn) ?? 0;
        if (sync != null) Assert.Equal(1, converted);
        bn.train();
        using (var warm = bn.forward(x * 2 + 1)) { } // updates the running statistics once more
        var input = x.detach().clone().requires_grad_();
        var y = bn.forward(input); // [n, 3, 5, 5]
        (y * weights).sum().backward();
        return new Result(y.data<float>(), input.grad!.data<float>(), bn.weight!.grad!.data<float>(), bn.bias!.grad!.data<float>(),
            bn.running_mean!.data<float>(), bn.running_var!.data<float>());
    }

    static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual).Max(p => Math.Abs((double)p.First - p.Second) / (1 + Math.Abs((double)p.First)));
        Assert.True(worst < 2e-6, $"{what} differs by up to {worst:g3} (relative)");
    }

    [Fact]
    public void TwoRanksWithHalfTheBatchNormaliseAsOneWithAllOfIt()
    {
        torch.manual_seed(11);
        using var x = torch.randn(Batch, 3, 5, 5) * 3 + 2; // [8, 3, 5, 5], mean and spread away from 0 and 1
        using var w = torch.randn(Batch, 3, 5, 5);
        var whole = Run(x, w);

        int port = Loopback.FreePort();
        var ranks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            using var ctx = DistributedContext.Join(new DistributedSettings(r, 2, r, "127.0.0.1", port), TimeSpan.FromSeconds(30));
            using var xr = x.narrow(0, r * Half, Half).clone();
            using var wr = w.narrow(0, r * Half, Half).clone();
            return Run(xr, wr, m => ctx.SyncBatchNorm(m, "true"));
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(1)), "the two ranks did not finish");
        var (r0, r1) = (ranks[0].Result, ranks[1].Result);

        Close(whole.Output, [.. r0.Output, .. r1.Output], "the output");
        Close(whole.InputGrad, [.. r0.InputGrad, .. r1.InputGrad], "the input's gradient");
        Close(whole.WeightGrad, r0.WeightGrad.Zip(r1.WeightGrad, (a, b) => a + b).ToArray(), "the weight's gradient summed over the ranks");
        Close(whole.BiasGrad, r0.BiasGrad.Zip(r1.BiasGrad, (a, b) => a + b).ToArray(), "the bias's gradient summed over the ranks");
        foreach (var r in new[] { r0, r1 })
        {
            Close(whole.RunningMean, r.RunningMean, "the running mean");
            Close(whole.RunningVar, r.RunningVar, "the running variance (unbiased over the whole batch)");
        }
        // and a half's own statistics would not have done: the comparison proves the synchronisation
        using var x0 = x.narrow(0, 0, Half).clone();
        using var w0 = w.narrow(0, 0, Half).clone();
        var local = Run(x0, w0);
        Assert.True(whole.RunningMean.Zip(local.RunningMean).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "half the batch has the whole batch's mean");
    }
}
