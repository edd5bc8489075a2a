using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

/// <summary>
/// torch.autocast over libtorch's thread-local autocast state: the typed entry points and Op's boxed dispatcher both
/// go through the Autocast dispatch key once it is on, the ops on autocast's float32 list stay float32, and the scope
/// restores what was there (nesting, enabled=false inside, the dtype).
/// </summary>
public class AutocastTests
{
    [Fact]
    public void MatmulLinearAndConvRunInBFloat16UnderCpuAutocast()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(4, 8);
        var b = torch.randn(8, 3);
        var x = torch.randn(2, 3, 8, 8);
        var w = torch.randn(5, 3, 3, 3);
        Assert.Equal(ScalarType.Float32, a.matmul(b).dtype);
        using (torch.autocast(DeviceType.CPU))
        {
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            Assert.Equal(ScalarType.BFloat16, a.matmul(b).dtype);                               // typed entry point
            Assert.Equal(ScalarType.BFloat16, nn.functional.linear(a, b.t()).dtype);            // Op("aten::linear"), boxed
            Assert.Equal(ScalarType.BFloat16, nn.functional.conv2d(x, w, padding: [1, 1]).dtype); // Op("aten::conv2d"), boxed
            Assert.Equal(ScalarType.Float32, (a + 1).dtype);                                    // not on autocast's lists
            Assert.Equal(ScalarType.Float32, a.matmul(b).@float().log_softmax(1).dtype);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, a.matmul(b).dtype);
    }

    [Fact]
    public void BFloat16ProductIsCloseToFloat32()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(16, 32);
        var b = torch.randn(32, 8);
        var exact = a.matmul(b);
        Tensor mixed;
        using (torch.autocast(DeviceType.CPU)) mixed = a.matmul(b).@float();
        double err = (mixed - exact).abs().max().item<float>();
        double scale = exact.abs().max().item<float>();
        Assert.True(err > 0, "bf16 autocast gave the float32 product bit for bit: autocast did not apply");
        Assert.True(err < 0.02 * scale, $"bf16 product differs from float32 by {err} (scale {scale})");
    }

    [Fact]
    public void DisabledInsideRestoresOnExitAndNests()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(4, 4);
        using (torch.autocast(DeviceType.CPU))
        {
            using (torch.autocast(DeviceType.CPU, enabled: false))
            {
                Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
                Assert.Equal(ScalarType.Float32, a.matmul(a).dtype);
            }
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            using (torch.autocast(DeviceType.CPU)) Assert.Equal(ScalarType.BFloat16, a.matmul(a).dtype);
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            Assert.Equal(ScalarType.BFloat16, a.matmul(a).dtype);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.BFloat16, torch.get_autocast_dtype(DeviceType.CPU));
    }

    [Fact]
    public void GradientsReachFloat32WeightsThroughBFloat16Ops()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(8, 3).requires_grad_();
        var x = torch.randn(4, 8);
        Tensor loss;
        using (torch.autocast(DeviceType.CPU)) loss = x.matmul(w).@float().pow(2).sum();
        loss.backward();
        Assert.Equal(ScalarType.Float32, w.grad!.dtype);
        Assert.True(w.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Float16OnTheCpuIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => torch.autocast(DeviceType.CPU, ScalarType.Float16));
        Assert.Contains("CUDA only", e.Message);
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
    }

    [Fact]
    public void NormsTakeABFloat16InputWithFloat32ParametersInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 4, 3, 3);
        var w = torch.rand(4) + 0.5;
        var b = torch.randn(4);
        var low = x.to(ScalarType.BFloat16);
        var reference = nn.functional.layer_norm(low.@float(), [3, 3], torch.ones(3, 3), torch.zeros(3, 3));
        var ln = nn.functional.layer_norm(low, [3, 3], torch.ones(3, 3), torch.zeros(3, 3));
        Assert.Equal(ScalarType.Float32, ln.dtype);
        Assert.True(torch.allclose(ln, reference));
        var bn = nn.functional.batch_norm(low, torch.zeros(4), torch.ones(4), w, b, training: true);
        Assert.Equal(ScalarType.Float32, bn.dtype);
        Assert.True(torch.allclose(bn, nn.functional.batch_norm(low.@float(), torch.zeros(4), torch.ones(4), w, b, training: true)));
        Assert.Equal(ScalarType.Float32, nn.functional.group_norm(low, 2, w, b).dtype);
        Assert.Equal(ScalarType.BFloat16, nn.functional.layer_norm(low, [3, 3]).dtype);   // no float32 parameter: stays
    }
}
