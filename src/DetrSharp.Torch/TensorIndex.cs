namespace DetrSharp.Torch;

/// <summary>
/// One entry of an index expression t[i, 1..3, mask, None, ...]: an integer, a slice with step,
/// a tensor (integer or boolean: advanced indexing), None (a new axis) or Ellipsis. As TorchSharp's TensorIndex.
/// </summary>
public readonly struct TensorIndex
{
    internal enum K { Single, Slice, Tensor, None, Ellipsis }

    internal readonly K Kind;
    internal readonly long Index;
    internal readonly long? Start, Stop;
    internal readonly long Step;
    internal readonly Tensor? Tensor;

    TensorIndex(K kind, long index = 0, long? start = null, long? stop = null, long step = 1, Tensor? tensor = null)
    {
        Kind = kind; Index = index; Start = start; Stop = stop; Step = step; Tensor = tensor;
    }

    public static TensorIndex Single(long i) => new(K.Single, i);
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1)
        => step > 0 ? new(K.Slice, start: start, stop: stop, step: step) : throw new ArgumentException("slice step must be positive");
    public static readonly TensorIndex Colon = Slice();
    public static readonly TensorIndex None = new(K.None);
    public static readonly TensorIndex Ellipsis = new(K.Ellipsis);
    public static TensorIndex Tensor_(Tensor t) => new(K.Tensor, tensor: t);

    public static implicit operator TensorIndex(long i) => Single(i);
    public static implicit operator TensorIndex(int i) => Single(i);
    public static implicit operator TensorIndex(Tensor t) => new(K.Tensor, tensor: t);
    public static implicit operator TensorIndex(System.Range r)
    {
        long? start = r.Start.IsFromEnd ? (r.Start.Value == 0 ? null : -r.Start.Value) : r.Start.Value;
        long? stop = r.End.IsFromEnd ? (r.End.Value == 0 ? null : -r.End.Value) : r.End.Value;
        return Slice(start, stop);
    }
}
