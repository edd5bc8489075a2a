using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DetrSharp.Assignment;

/// <summary>
/// The few float64 vector operations the column scan needs, as static members so that one generic
/// kernel is compiled once per vector width (the JIT specialises generics over structs and inlines these).
/// A mask is a vector whose lanes are all ones (true) or all zeros (false).
/// </summary>
internal unsafe interface ILanes<TSelf> where TSelf : unmanaged, ILanes<TSelf>
{
    /// <summary>Doubles per vector.</summary>
    static abstract int Count { get; }
    static abstract TSelf Splat(double x);
    static abstract TSelf Load(double* p);
    static abstract void Store(double* p, TSelf x);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Sub(TSelf a, TSelf b);
    /// <summary>Lane-wise a &lt; b as a mask.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    /// <summary>Lane-wise mask ? a : b.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);
    /// <summary>Lane-wise minimum (inputs are never NaN).</summary>
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>The smallest lane.</summary>
    static abstract double MinAcross(TSelf a);
    /// <summary>Bit k set when lane k of a equals lane k of b.</summary>
    static abstract uint EqualBits(TSelf a, TSelf b);
    /// <summary>Lane-wise p[k] = mask[k] ? value : p[k] over Count ints at p.</summary>
    static abstract void BlendStore(int* p, TSelf mask, int value);
}

/// <summary>Eight doubles (AVX-512).</summary>
internal readonly unsafe struct Lanes512 : ILanes<Lanes512>
{
    readonly Vector512<double> _v;
    Lanes512(Vector512<double> v) => _v = v;

    public static int Count => Vector512<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Splat(double x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Load(double* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Lanes512 x) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Add(Lanes512 a, Lanes512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Sub(Lanes512 a, Lanes512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 LessThan(Lanes512 a, Lanes512 b) => new(Vector512.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Select(Lanes512 m, Lanes512 a, Lanes512 b) => new(Vector512.ConditionalSelect(m._v, a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Min(Lanes512 a, Lanes512 b) => new(Vector512.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(Lanes512 a) =>
        Lanes256.MinAcross(Vector256.MinNative(a._v.GetLower(), a._v.GetUpper()));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint EqualBits(Lanes512 a, Lanes512 b) =>
        (uint)Vector512.Equals(a._v, b._v).ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlendStore(int* p, Lanes512 mask, int value)
    {
        var m = Avx512F.IsSupported
            ? Avx512F.ConvertToVector256Int32(mask._v.AsInt64())
            : Vector256.Create(Vector128.Narrow(mask._v.GetLower().GetLower().AsInt64(), mask._v.GetLower().GetUpper().AsInt64()),
                               Vector128.Narrow(mask._v.GetUpper().GetLower().AsInt64(), mask._v.GetUpper().GetUpper().AsInt64()));
        Vector256.ConditionalSelect(m, Vector256.Create(value), Vector256.Load(p)).Store(p);
    }
}

/// <summary>Four doubles (AVX).</summary>
internal readonly unsafe struct Lanes256 : ILanes<Lanes256>
{
    readonly Vector256<double> _v;
    Lanes256(Vector256<double> v) => _v = v;

    public static int Count => Vector256<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Splat(double x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Load(double* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Lanes256 x) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Add(Lanes256 a, Lanes256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Sub(Lanes256 a, Lanes256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 LessThan(Lanes256 a, Lanes256 b) => new(Vector256.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Select(Lanes256 m, Lanes256 a, Lanes256 b) => new(Vector256.ConditionalSelect(m._v, a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes256 Min(Lanes256 a, Lanes256 b) => new(Vector256.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(Lanes256 a) => MinAcross(a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint EqualBits(Lanes256 a, Lanes256 b) =>
        Vector256.Equals(a._v, b._v).ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlendStore(int* p, Lanes256 mask, int value)
    {
        var m = Avx512F.VL.IsSupported
            ? Avx512F.VL.ConvertToVector128Int32(mask._v.AsInt64())
            : Vector128.Narrow(mask._v.GetLower().AsInt64(), mask._v.GetUpper().AsInt64());
        Vector128.ConditionalSelect(m, Vector128.Create(value), Vector128.Load(p)).Store(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double MinAcross(Vector256<double> v) => Lanes128.MinAcross(Vector128.MinNative(v.GetLower(), v.GetUpper()));
}

/// <summary>Two doubles (SSE2 / AdvSimd).</summary>
internal readonly unsafe struct Lanes128 : ILanes<Lanes128>
{
    readonly Vector128<double> _v;
    Lanes128(Vector128<double> v) => _v = v;

    public static int Count => Vector128<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Splat(double x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Load(double* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Lanes128 x) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Add(Lanes128 a, Lanes128 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Sub(Lanes128 a, Lanes128 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 LessThan(Lanes128 a, Lanes128 b) => new(Vector128.LessThan(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Select(Lanes128 m, Lanes128 a, Lanes128 b) => new(Vector128.ConditionalSelect(m._v, a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes128 Min(Lanes128 a, Lanes128 b) => new(Vector128.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(Lanes128 a) => MinAcross(a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint EqualBits(Lanes128 a, Lanes128 b) =>
        Vector128.Equals(a._v, b._v).ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BlendStore(int* p, Lanes128 mask, int value)
    {
        var m = mask._v.AsInt64();
        if (m.GetElement(0) != 0) p[0] = value;
        if (m.GetElement(1) != 0) p[1] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double MinAcross(Vector128<double> v)
    {
        double a = v.GetElement(0), b = v.GetElement(1);
        return b < a ? b : a;
    }
}

/// <summary>One double: the portable fallback (no SIMD, or a single column).</summary>
internal readonly unsafe struct Lanes1 : ILanes<Lanes1>
{
    readonly double _v;
    Lanes1(double v) => _v = v;

    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Splat(double x) => new(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Load(double* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Lanes1 x) => *p = x._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Add(Lanes1 a, Lanes1 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Sub(Lanes1 a, Lanes1 b) => new(a._v - b._v);
    // The mask is 1.0 for true and 0.0 for false; Select only ever tests it against zero.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 LessThan(Lanes1 a, Lanes1 b) => new(a._v < b._v ? 1.0 : 0.0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Select(Lanes1 m, Lanes1 a, Lanes1 b) => m._v != 0 ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes1 Min(Lanes1 a, Lanes1 b) => b._v < a._v ? b : a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MinAcross(Lanes1 a) => a._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint EqualBits(Lanes1 a, Lanes1 b) => a._v == b._v ? 1u : 0u;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void BlendStore(int* p, Lanes1 mask, int value)
    {
        if (mask._v != 0) *p = value;
    }
}
