namespace DetrSharp.Torch.Serialization;

/// <summary>
/// Summary figures of a tensor for <c>detrsharp inspect</c>: min, max and mean over its finite values, and how
/// many values are NaN or infinite. Computed from one contiguous CPU copy (no per-element interop).
/// </summary>
/// <param name="Count">Number of elements.</param>
/// <param name="Min">Smallest finite value, or null when there is none.</param>
/// <param name="Max">Largest finite value, or null when there is none.</param>
/// <param name="Mean">Mean of the finite values, or null when there is none.</param>
/// <param name="NonFinite">Number of NaN, +inf and −inf values.</param>
public sealed record TensorStats(long Count, double? Min, double? Max, double? Mean, long NonFinite)
{
    /// <summary>The figures of <paramref name="tensor"/> (any dtype of <see cref="ScalarType"/> but complex, any device).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static unsafe TensorStats Of(Tensor tensor)
    {
        long n = tensor.numel();
        if (n == 0) return new TensorStats(0, null, null, null, 0);
        var dtype = tensor.dtype;
        if (dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64)
            throw new NotSupportedException($"statistics of {dtype.Name()} tensors");
        using var cpu = tensor.device.type == DeviceType.CPU ? tensor.alias() : tensor.to(Device.CPU);
        using var c = cpu.contiguous();
        byte* p = (byte*)c.data_ptr();
        var acc = new Accumulator();
        switch (dtype)
        {
            case ScalarType.Float32: { var s = (float*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Float64: { var s = (double*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Float16: { var s = (Half*)p; for (long i = 0; i < n; i++) acc.Add((double)s[i]); break; }
            case ScalarType.BFloat16:
            {
                var s = (ushort*)p;
                for (long i = 0; i < n; i++) acc.Add(BitConverter.Int32BitsToSingle(s[i] << 16));
                break;
            }
            case ScalarType.Int64: { var s = (long*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Int32: { var s = (int*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Int16: { var s = (short*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Int8: { var s = (sbyte*)p; for (long i = 0; i < n; i++) acc.Add(s[i]); break; }
            case ScalarType.Byte:
            case ScalarType.Bool: { for (long i = 0; i < n; i++) acc.Add(p[i] != 0 && dtype == ScalarType.Bool ? 1 : p[i]); break; }
            default: throw new NotSupportedException($"statistics of {dtype.Name()} tensors");
        }
        return acc.Finish(n);
    }

    struct Accumulator
    {
        double min, max, sum;
        long finite, nonFinite;

        public Accumulator()
        {
            min = double.PositiveInfinity;
            max = double.NegativeInfinity;
        }

        public void Add(double v)
        {
            if (!double.IsFinite(v))
            {
                nonFinite++;
                return;
            }
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
            finite++;
        }

        public readonly TensorStats Finish(long count) => finite == 0
            ? new TensorStats(count, null, null, null, nonFinite)
            : new TensorStats(count, min, max, sum / finite, nonFinite);
    }
}
