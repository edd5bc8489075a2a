using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// dtype and device conversion.
public sealed partial class Tensor
{
    /// <summary>A copy (or this tensor's alias when nothing changes) with the given dtype and device.</summary>
    public Tensor to(ScalarType dtype, Device device, bool non_blocking = false, bool copy = false)
        => Wrap(NativeMethods.dsh_to(Handle, (int)dtype, (int)device.type, device.index, non_blocking ? 1 : 0, copy ? 1 : 0));

    public Tensor to(ScalarType dtype) => to(dtype, device);
    public Tensor to(Device device) => to(dtype, device);
    public Tensor to(Tensor other) => to(other.dtype, other.device);
    public Tensor to_type(ScalarType dtype) => to(dtype);
    public Tensor type(ScalarType dtype) => to(dtype);
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor half() => to(ScalarType.Float16);
    public Tensor bfloat16() => to(ScalarType.BFloat16);
    public Tensor @byte() => to(ScalarType.Byte);
}
