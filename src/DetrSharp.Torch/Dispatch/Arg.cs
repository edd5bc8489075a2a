namespace DetrSharp.Torch.Dispatch;

/// <summary>Argument kinds understood by the shim's boxed call (native/src/dispatcher.cpp).</summary>
internal enum ArgKind
{
    None = 0, Tensor = 1, Int = 2, Double = 3, Bool = 4, IntList = 5, TensorList = 6, String = 7,
    ScalarType = 8, Device = 9, DoubleList = 10, OptTensorList = 11, BoolList = 12, Generator = 13,
    MemoryFormat = 14, Layout = 15,
}

/// <summary>
/// One argument of a boxed operator call: a tensor, number, list, dtype, device ... converted
/// implicitly, optionally named (<see cref="Named"/>) to set a keyword argument out of order.
/// </summary>
public readonly struct Arg
{
    internal readonly ArgKind Kind;
    internal readonly long I;
    internal readonly double D;
    internal readonly object? O;
    internal readonly string? Name;

    Arg(ArgKind kind, long i = 0, double d = 0, object? o = null, string? name = null)
    {
        Kind = kind; I = i; D = d; O = o; Name = name;
    }

    public static readonly Arg None = new(ArgKind.None);

    /// <summary>The same value given as the keyword argument <paramref name="name"/>.</summary>
    public Arg Named(string name) => new(Kind, I, D, O, name);

    public static implicit operator Arg(Tensor? t) => t is null ? None : new(ArgKind.Tensor, o: t);
    public static implicit operator Arg(long v) => new(ArgKind.Int, v, v);
    public static implicit operator Arg(int v) => new(ArgKind.Int, v, v);
    public static implicit operator Arg(double v) => new(ArgKind.Double, (long)v, v);
    public static implicit operator Arg(bool v) => new(ArgKind.Bool, v ? 1 : 0);
    public static implicit operator Arg(string v) => new(ArgKind.String, o: v);
    public static implicit operator Arg(long[]? v) => v is null ? None : new(ArgKind.IntList, o: v);
    public static implicit operator Arg(double[]? v) => v is null ? None : new(ArgKind.DoubleList, o: v);
    public static implicit operator Arg(bool[]? v) => v is null ? None : new(ArgKind.BoolList, o: v);
    public static implicit operator Arg(Tensor[]? v) => v is null ? None : new(ArgKind.TensorList, o: v);
    public static implicit operator Arg(ScalarType? v) => v is null ? None : new(ArgKind.ScalarType, (long)v.Value);
    public static implicit operator Arg(Device? v) => v is null ? None : new(ArgKind.Device, (long)v.Value.type, v.Value.index);
    public static implicit operator Arg(Generator? g) => g is null ? None : new(ArgKind.Generator, o: g);
    public static implicit operator Arg(long? v) => v is null ? None : (Arg)v.Value;
    public static implicit operator Arg(double? v) => v is null ? None : (Arg)v.Value;
    public static implicit operator Arg(bool? v) => v is null ? None : (Arg)v.Value;

    /// <summary>A number keeping its kind: ints stay ints (so int tensors stay int).</summary>
    public static implicit operator Arg(Scalar s) => s.IsFloatingPoint ? new(ArgKind.Double, (long)s.D, s.D) : s.Kind == 2 ? new(ArgKind.Bool, s.I) : new(ArgKind.Int, s.I, s.I);
    public static implicit operator Arg(Scalar? s) => s is null ? None : (Arg)s.Value;

    /// <summary>A list of optional tensors (Tensor?[]), as advanced indexing takes.</summary>
    public static Arg OptionalTensors(Tensor?[] ts) => new(ArgKind.OptTensorList, o: ts);
}
