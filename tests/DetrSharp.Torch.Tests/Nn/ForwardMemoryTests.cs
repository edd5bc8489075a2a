using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;
using static DetrSharp.Torch.Tests.Nn.NnAssert;
using F = DetrSharp.Torch.nn.functional;

namespace DetrSharp.Torch.Tests.Nn;

/// <summary>
/// Forward passes dispose their intermediates: inside a scope, only the returned tensors are left alive, so inference
/// without a scope leaves nothing to the finalizer.
/// </summary>
[Collection(GlobalGenerator.Collection)]
public class ForwardMemoryTests
{
    static void LeavesOnly(int outputs, Func<object> run)
    {
        using var scope = torch.NewDisposeScope();
        var result = run();
        Assert.Equal(outputs, scope.Count);
        GC.KeepAlive(result);
    }

    [Fact]
    public void ModulesLeaveOnlyTheirOutputs()
    {
        torch.manual_seed(0);
        using var x = torch.randn(2, 4, 6, 6);
        using var tokens = torch.randn(5, 2, 8);
        using var memory = torch.randn(7, 2, 8);
        using var kpm = B(new[] { false, false, false, false, true, true, false, false, false, false, false, false, false, false }, 2, 7);
        using var am = B(Enumerable.Range(0, 35).Select(i => i % 7 == 3).ToArray(), 5, 7);
        using var idx = L(new long[] { 1, 2, 3 });

        using var linear = nn.Linear(6, 3);
        using var conv = nn.Conv2d(4, 4, 3, padding: 1, padding_mode: PaddingModes.Reflect);
        using var bn = nn.BatchNorm2d(4);
        using var bnCumulative = nn.BatchNorm2d(4, momentum: null);
        using var frozen = nn.FrozenBatchNorm2d(4);
        using var ln = nn.LayerNorm(6);
        using var gn = nn.GroupNorm(2, 4);
        using var drop = nn.Dropout(0.1);
        using var emb = nn.Embedding(5, 3, max_norm: 1.0);
        using var seq = nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU(), nn.GELU(), nn.SiLU(), nn.Sigmoid(), nn.Identity(),
            nn.MaxPool2d(2), nn.Upsample(scale_factor: new[] { 2.0 }, mode: InterpolationMode.Bilinear), nn.AdaptiveAvgPool2d(3));
        using var mha = nn.MultiheadAttention(8, 2, dropout: 0.1);

        LeavesOnly(1, () => linear.call(x));
        LeavesOnly(1, () => conv.call(x));
        LeavesOnly(1, () => bn.call(x));
        LeavesOnly(1, () => bnCumulative.call(x));
        LeavesOnly(1, () => frozen.call(x));
        LeavesOnly(1, () => ln.call(x));
        LeavesOnly(1, () => gn.call(x));
        LeavesOnly(1, () => drop.call(x));
        LeavesOnly(1, () => emb.call(idx));
        LeavesOnly(1, () => seq.call(x));
        LeavesOnly(2, () => mha.call(tokens, tokens, tokens));
        LeavesOnly(2, () => mha.call(tokens, memory, memory, kpm, attn_mask: am));
        using var memory2 = memory.mul(2.0);
        LeavesOnly(1, () => mha.call(tokens, memory, memory2, kpm, need_weights: false).output);
        using var t0 = tokens.select(1, 0);
        using var m0 = memory.select(1, 0);
        using var m1 = memory.select(1, 1);
        LeavesOnly(2, () => mha.call(t0, m0, m1));
        using var bf = nn.MultiheadAttention(8, 2, batch_first: true);
        LeavesOnly(2, () => bf.call(tokens, tokens, tokens));
        bn.eval();
        mha.eval();
        LeavesOnly(1, () => bn.call(x));
        LeavesOnly(2, () => mha.call(tokens, memory, memory, kpm, attn_mask: am));
    }

    [Fact]
    public void FunctionalsLeaveOnlyTheirOutputs()
    {
        using var logits = torch.randn(4, 3);
        using var target = L(new long[] { 0, 2, 1, 1 });
        using var a = torch.randn(4, 3);
        using var b = torch.randn(3);
        LeavesOnly(1, () => F.cross_entropy(logits, target, label_smoothing: 0.1));
        LeavesOnly(1, () => F.l1_loss(a, b));
        LeavesOnly(1, () => F.mse_loss(a, logits));
        LeavesOnly(1, () => F.smooth_l1_loss(a, b, beta: 0.5));
        LeavesOnly(1, () => F.pad(a, new long[] { 1, 1 }));
        LeavesOnly(1, () => F.dropout(a, 0.5, training: false));
    }
}
