using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DetrSharp.Assignment;

/// <summary>
/// A growable buffer of unmanaged values on the pinned object heap, so that the solver can hold a raw,
/// 64-byte aligned pointer to it between calls (no <c>fixed</c>, no bounds checks in the hot loops).
/// </summary>
internal sealed unsafe class PinnedBuffer<T> where T : unmanaged
{
    const int Alignment = 64;
    T[]? _array;
    T* _pointer;
    long _capacity;

    /// <summary>Elements the buffer holds now.</summary>
    public long Capacity => _capacity;

    /// <summary>A pointer to at least <paramref name="count"/> elements; the contents are kept only while no growth is needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* Ensure(long count) => count <= _capacity ? _pointer : Grow(count);

    /// <summary>Drops the storage (the next <see cref="Ensure"/> allocates again).</summary>
    public void Release()
    {
        _array = null;
        _pointer = null;
        _capacity = 0;
    }

    T* Grow(long count)
    {
        long wanted = Math.Max(count, _capacity + _capacity / 2);
        long slack = Alignment / sizeof(T) + 1;
        long length = Math.Min(wanted + slack, Array.MaxLength);
        if (length - slack < count) throw new OutOfMemoryException($"assignment workspace of {count} elements is too large");
        var array = GC.AllocateUninitializedArray<T>((int)length, pinned: true);
        nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nuint aligned = (start + (Alignment - 1)) & ~(nuint)(Alignment - 1);
        _array = array;
        _pointer = (T*)aligned;
        _capacity = length - (long)(aligned - start) / sizeof(T);
        return _pointer;
    }
}
