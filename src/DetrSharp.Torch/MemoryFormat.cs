using DetrSharp.Torch.Dispatch;

namespace DetrSharp.Torch;

/// <summary>c10::MemoryFormat: how a 4-D tensor's elements are laid out (channels_last: NHWC strides, which oneDNN's
/// convolutions prefer).</summary>
public enum MemoryFormat
{
    Contiguous = 0,
    Preserve = 1,
    ChannelsLast = 2,
    ChannelsLast3d = 3,
}

public partial class Tensor
{
    static readonly Op ContiguousFormatOp = new("aten::contiguous");

    /// <summary>This tensor laid out in <paramref name="memory_format"/> (itself, as a new handle, when it already is):
    /// <c>x.contiguous(memory_format=torch.channels_last)</c>.</summary>
    public Tensor contiguous(MemoryFormat memory_format)
        => ContiguousFormatOp.Tensor(this, ((Arg)(long)memory_format).Named("memory_format"));
}

public partial class Tensor
{
    /// <summary>
    /// The layout this tensor's strides describe, as ATen's <c>suggest_memory_format</c>: ChannelsLast for a 4-D tensor
    /// whose strides are NHWC's (and not also NCHW's, as with one channel), else Contiguous.
    /// </summary>
    public MemoryFormat suggest_memory_format()
    {
        if (dim() != 4) return MemoryFormat.Contiguous;
        var size = shape;
        var stride = this.stride();
        return HasStrides(size, stride, [1, 3, 2, 0]) && !HasStrides(size, stride, [3, 2, 1, 0])
            ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
    }

    /// <summary>
    /// This 4-D input laid out as <paramref name="weight"/> (a model's first convolution weight) is: a channels_last copy
    /// when the weight is channels_last and this is not; otherwise null (use the input as it is). A model converted with
    /// <c>module.to(MemoryFormat.ChannelsLast)</c> calls it at its entry.
    /// </summary>
    public Tensor? to_layout_of(Tensor weight)
        => weight.suggest_memory_format() == MemoryFormat.ChannelsLast && suggest_memory_format() != MemoryFormat.ChannelsLast
            ? contiguous(MemoryFormat.ChannelsLast) : null;

    // whether the strides are dense in the given order of dims (innermost first); dims of size 1 match any stride
    static bool HasStrides(long[] size, long[] stride, int[] innermostFirst)
    {
        long expected = 1;
        foreach (int d in innermostFirst)
        {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }
}
