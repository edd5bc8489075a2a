using System.Runtime.InteropServices;

namespace DetrSharp.Torch;

public static partial class torch
{
    public static partial class cuda
    {
        /// <summary>
        /// The CUDA device's compute capability (major, minor), read through the CUDA driver (libcuda), or null where
        /// there is no driver or no such device. torch.cuda.is_bf16_supported is major &gt;= 8.
        /// </summary>
        public static (int major, int minor)? get_device_capability(int device = 0)
        {
            try
            {
                if (CudaDriver.cuInit(0) != 0 || CudaDriver.cuDeviceGet(out int dev, device) != 0) return null;
                // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, _MINOR = 76
                if (CudaDriver.cuDeviceGetAttribute(out int major, 75, dev) != 0 || CudaDriver.cuDeviceGetAttribute(out int minor, 76, dev) != 0) return null;
                return (major, minor);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return null;
            }
        }
    }

    static class CudaDriver
    {
        const string Lib = "libcuda.so.1";
        [DllImport(Lib)] internal static extern int cuInit(uint flags);
        [DllImport(Lib)] internal static extern int cuDeviceGet(out int device, int ordinal);
        [DllImport(Lib)] internal static extern int cuDeviceGetAttribute(out int value, int attribute, int device);
    }
}
