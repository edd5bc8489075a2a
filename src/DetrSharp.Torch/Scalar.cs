using System.Runtime.InteropServices;

namespace DetrSharp.Torch;

/// <summary>A number crossing into libtorch with its kind kept (an int stays an int, as in Python).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Scalar
{
    internal readonly int Kind; // 0 double, 1 int64, 2 bool
    readonly int _pad;
    internal readonly long I;
    internal readonly double D;

    Scalar(int kind, long i, double d) { Kind = kind; _pad = 0; I = i; D = d; }

    public static implicit operator Scalar(double d) => new(0, (long)d, d);
    public static implicit operator Scalar(float f) => new(0, (long)f, f);
    public static implicit operator Scalar(long i) => new(1, i, i);
    public static implicit operator Scalar(int i) => new(1, i, i);
    public static implicit operator Scalar(bool b) => new(2, b ? 1 : 0, b ? 1 : 0);

    public bool IsFloatingPoint => Kind == 0;
    public double ToDouble() => Kind == 0 ? D : I;
    public long ToInt64() => Kind == 0 ? (long)D : I;
    public bool ToBoolean() => Kind == 0 ? D != 0 : I != 0;
    public override string ToString() => Kind switch { 0 => D.ToString("R"), 2 => (I != 0).ToString(), _ => I.ToString() };
}
