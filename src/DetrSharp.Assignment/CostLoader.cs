using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DetrSharp.Assignment;

/// <summary>
/// Reading a caller's matrix for the solver: scipy's entry check, and the float64 copy the solver works on
/// when the matrix must be converted (float32), negated (maximize) or transposed (more rows than columns).
/// The copy checks the entries as it goes, so a copied matrix is read once.
/// </summary>
internal static unsafe class CostLoader
{
    /// <summary>
    /// Index of the first entry scipy rejects ("matrix contains invalid numeric entries") — NaN, or -inf when
    /// minimizing, or +inf when maximizing (-inf after scipy's negation) — or -1 when there is none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long FindInvalid<T>(T* values, long count, bool maximize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            // x > -inf (or x < +inf) is false exactly for NaN and for the forbidden infinity.
            var limit = Vector512.Create(maximize ? T.PositiveInfinity : T.NegativeInfinity);
            for (; i + Vector512<T>.Count <= count; i += Vector512<T>.Count)
            {
                var x = Vector512.Load(values + i);
                if (maximize ? !Vector512.LessThanAll(x, limit) : !Vector512.GreaterThanAll(x, limit)) break;
            }
        }
        else if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var limit = new Vector<T>(maximize ? T.PositiveInfinity : T.NegativeInfinity);
            for (; i + Vector<T>.Count <= count; i += Vector<T>.Count)
            {
                var x = Unsafe.ReadUnaligned<Vector<T>>(values + i);
                if (maximize ? !Vector.LessThanAll(x, limit) : !Vector.GreaterThanAll(x, limit)) break;
            }
        }
        for (; i < count; i++)
        {
            T x = values[i];
            if (maximize ? !(x < T.PositiveInfinity) : !(x > T.NegativeInfinity)) return i;
        }
        return -1;
    }

    /// <summary>
    /// Writes a rows x cols matrix as float64 into <paramref name="destination"/>: transposed (cols x rows)
    /// when <paramref name="transpose"/>, each value negated when <paramref name="negate"/>. Returns false when
    /// a written value is NaN or -inf, which scipy rejects (then <see cref="FindInvalid"/> names the entry).
    /// </summary>
    public static bool Copy<T>(T* source, int rows, int cols, bool transpose, bool negate, double* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Avx.IsSupported && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
        {
            return transpose
                ? CopyTransposedAvx(source, rows, cols, negate, destination)
                : CopyStraightAvx(source, (long)rows * cols, negate, destination);
        }
        return CopyScalar(source, rows, cols, transpose, negate, destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool CopyStraightAvx<T>(T* source, long count, bool negate, double* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sign = Vector256.Create(negate ? -0.0 : 0.0);
        var floor = Vector256.Create(double.NegativeInfinity);
        var ok = Vector256<double>.AllBitsSet;
        long i = 0;
        for (; i + 4 <= count; i += 4)
        {
            var x = Load4(source + i) ^ sign;
            ok &= Vector256.GreaterThan(x, floor);
            x.Store(destination + i);
        }
        bool valid = ok.AsUInt64() == Vector256<ulong>.AllBitsSet;
        for (; i < count; i++) valid &= Put(source[i], negate, destination + i);
        return valid;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool CopyTransposedAvx<T>(T* source, int rows, int cols, bool negate, double* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // destination[c, r] = source[r, c]: 4x4 blocks through AVX registers, then the ragged edges one by one.
        int rows4 = rows & ~3, cols4 = cols & ~3;
        var sign = Vector256.Create(negate ? -0.0 : 0.0);
        var floor = Vector256.Create(double.NegativeInfinity);
        var ok = Vector256<double>.AllBitsSet;
        for (int r = 0; r < rows4; r += 4)
        {
            T* s0 = source + (long)r * cols;
            for (int c = 0; c < cols4; c += 4)
            {
                var a0 = Load4(s0 + c) ^ sign;
                var a1 = Load4(s0 + cols + c) ^ sign;
                var a2 = Load4(s0 + 2L * cols + c) ^ sign;
                var a3 = Load4(s0 + 3L * cols + c) ^ sign;
                ok &= Vector256.GreaterThan(a0, floor) & Vector256.GreaterThan(a1, floor)
                    & Vector256.GreaterThan(a2, floor) & Vector256.GreaterThan(a3, floor);
                var t0 = Avx.UnpackLow(a0, a1);   // a0[0] a1[0] a0[2] a1[2]
                var t1 = Avx.UnpackHigh(a0, a1);  // a0[1] a1[1] a0[3] a1[3]
                var t2 = Avx.UnpackLow(a2, a3);
                var t3 = Avx.UnpackHigh(a2, a3);
                double* d0 = destination + (long)c * rows + r;
                Avx.Permute2x128(t0, t2, 0x20).Store(d0);
                Avx.Permute2x128(t1, t3, 0x20).Store(d0 + rows);
                Avx.Permute2x128(t0, t2, 0x31).Store(d0 + 2L * rows);
                Avx.Permute2x128(t1, t3, 0x31).Store(d0 + 3L * rows);
            }
        }
        bool valid = ok.AsUInt64() == Vector256<ulong>.AllBitsSet;
        for (int r = 0; r < rows; r++)
        {
            T* src = source + (long)r * cols;
            for (int c = r < rows4 ? cols4 : 0; c < cols; c++)
                valid &= Put(src[c], negate, destination + (long)c * rows + r);
        }
        return valid;
    }

    static bool CopyScalar<T>(T* source, int rows, int cols, bool transpose, bool negate, double* destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool valid = true;
        for (int r = 0; r < rows; r++)
        {
            T* src = source + (long)r * cols;
            for (int c = 0; c < cols; c++)
                valid &= Put(src[c], negate, destination + (transpose ? (long)c * rows + r : (long)r * cols + c));
        }
        return valid;
    }

    /// <summary>Writes one value as float64, negated if asked; false when the written value is NaN or -inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Put<T>(T value, bool negate, double* destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double x = double.CreateTruncating(value);
        if (negate) x = -x;
        *destination = x;
        return x > double.NegativeInfinity;
    }

    /// <summary>Four consecutive values as float64 (float32 widened exactly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<double> Load4<T>(T* p) where T : unmanaged =>
        typeof(T) == typeof(float) ? Avx.ConvertToVector256Double(Vector128.Load((float*)p)) : Vector256.Load((double*)p);
}
