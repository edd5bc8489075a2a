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
