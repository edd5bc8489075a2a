using DetrSharp.Torch.Native;
using Xunit;

namespace DetrSharp.Torch.Tests.Native;

/// <summary>How the shim reports results that are absent but not errors, and errors that carry no handle.</summary>
public class ShimErrorTests
{
    /// <summary>A tensor without a gradient answers null even while the thread holds an earlier error message (the old
    /// contract read "null handle and empty message" as "no gradient", so a stale message turned into an exception).</summary>
    [Fact]
    public void NoGradientIsNotAnError()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2, 2 }).requires_grad_();
        Assert.Throws<TorchException>(() => x.view(new long[] { 3 })); // leaves an error message on this thread
        Assert.Null(x.grad);
        (x * 3).sum().backward();
        var g = x.grad;
        Assert.NotNull(g);
        Assert.Equal(new float[] { 3, 3, 3, 3 }, g!.data<float>());
    }

    [Fact]
    public unsafe void GradReportsItsStatus()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2 }).requires_grad_();
        IntPtr g = (IntPtr)1;
        Assert.Equal(0, NativeMethods.dsh_grad(x.Handle, &g)); // none: status 0, handle cleared
        Assert.Equal(IntPtr.Zero, g);
        x.sum().backward();
        Assert.Equal(1, NativeMethods.dsh_grad(x.Handle, &g));
        Assert.NotEqual(IntPtr.Zero, g);
        NativeMethods.dsh_tensor_free(g);
    }

    [Fact]
    public void DataPointersOfEmptyTensorsAreNotErrors()
    {
        // libtorch may give a tensor without elements no memory (a null address): that is an answer, not a failure.
        using var scope = torch.NewDisposeScope();
        var e = torch.zeros(new long[] { 0, 3 });
        _ = e.data_ptr();
        _ = e.untyped_storage_ptr();
        Assert.Empty(e.data<float>());
    }

    [Fact]
    public void GeneratorSeedsRoundTripIncludingMinusOne()
    {
        using var g = new Generator(-1);
        Assert.Equal(-1, g.initial_seed());
        g.manual_seed(123);
        Assert.Equal(123, g.initial_seed());
    }

    [Fact]
    public void MetadataGettersStillAnswer()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.zeros(new long[] { 2, 3 }, ScalarType.Int64);
        Assert.Equal(2, t.dim());
        Assert.Equal(6, t.numel());
        Assert.Equal(8, t.element_size());
        Assert.Equal(ScalarType.Int64, t.dtype);
        Assert.Equal(new Device(DeviceType.CPU, -1), t.device);
        Assert.True(t.is_contiguous());
        Assert.Equal(0, t.storage_offset());
        Assert.True(torch.is_grad_enabled());
        Assert.True(torch.get_num_threads() >= 1);
        Assert.False(string.IsNullOrEmpty(torch.version));
    }
}
