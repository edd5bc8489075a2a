using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DetrSharp.Torch.Serialization;

/// <summary>
/// The zip CRC-32 (reflected polynomial 0xEDB88320, the one zlib, miniz and PKZIP use).
/// On x86 with PCLMULQDQ it folds 64 bytes a step with carry-less multiplies (Intel's
/// "Fast CRC Computation Using PCLMULQDQ", as in Chromium's zlib), several GB/s per core;
/// with AVX-512 VPCLMULQDQ, 256 bytes a step in four 512-bit registers (as zlib-ng does), which
/// keeps up with memory; elsewhere it falls back to slicing-by-8 tables.
/// </summary>
/// <remarks>
/// <see cref="Append(uint, ReadOnlySpan{byte})"/> takes and returns the finished CRC value (as stored in a
/// zip header), so a CRC can be computed over several pieces: <c>crc = Append(Append(0, a), b)</c>.
/// </remarks>
public static class Crc32
{
    static readonly uint[] Table = BuildTable();

    /// <summary>Whether the 256-bytes-a-step AVX-512 path runs (a JIT-time constant).</summary>
    static bool Wide => Pclmulqdq.V512.IsSupported && Avx512F.IsSupported;

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (the CRC of the bytes before) over <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (data.Length >= 256 && Wide)
        {
            int wideLength = data.Length & ~255;
            fixed (byte* p = data) state = FoldWide(state, p, null, wideLength);
            data = data[wideLength..];
        }
        if (data.Length >= 64 && Pclmulqdq.IsSupported && Sse41.IsSupported)
        {
            int vectorLength = data.Length & ~15;
            state = FoldPclmul(state, data[..vectorLength]);
            data = data[vectorLength..];
        }
        state = SliceBy8(state, data);
        return ~state;
    }

    /// <summary>Continues <paramref name="crc"/> over <paramref name="length"/> bytes of native memory.</summary>
    public static unsafe uint Append(uint crc, void* data, long length)
    {
        byte* p = (byte*)data;
        while (length > 0)
        {
            int chunk = (int)Math.Min(length, 1 << 30);
            crc = Append(crc, new ReadOnlySpan<byte>(p, chunk));
            p += chunk;
            length -= chunk;
        }
        return crc;
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes from <paramref name="source"/> to <paramref name="destination"/> and
    /// returns <paramref name="crc"/> continued over them, in one pass over the memory. With AVX-512, a
    /// 64-byte-aligned destination is written past the cache (see <see cref="FoldWide"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe uint CopyAndAppend(uint crc, byte* source, byte* destination, long length)
    {
        while (length > 0)
        {
            int chunk = (int)Math.Min(length, 1 << 30);
            uint state = ~crc;
            int done = 0;
            if (chunk >= 256 && Wide)
            {
                done = chunk & ~255;
                state = FoldWide(state, source, destination, done);
            }
            if (chunk - done >= 64 && Pclmulqdq.IsSupported && Sse41.IsSupported)
            {
                int n = (chunk - done) & ~63;
                state = CopyFoldPclmul(state, source + done, destination + done, n);
                done += n;
            }
            int rest = chunk - done;
            if (rest > 0)
            {
                Buffer.MemoryCopy(source + done, destination + done, rest, rest);
                state = SliceBy8(state, new ReadOnlySpan<byte>(source + done, rest));
            }
            crc = ~state;
            source += chunk;
            destination += chunk;
            length -= chunk;
        }
        return crc;
    }

    // As FoldPclmul, storing every 64-byte block it folds; len is a positive multiple of 64.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe uint CopyFoldPclmul(uint state, byte* src, byte* dst, int len)
    {
        var x1 = Sse2.LoadVector128(src).AsUInt64();
        var x2 = Sse2.LoadVector128(src + 16).AsUInt64();
        var x3 = Sse2.LoadVector128(src + 32).AsUInt64();
        var x4 = Sse2.LoadVector128(src + 48).AsUInt64();
        Sse2.Store(dst, x1.AsByte());
        Sse2.Store(dst + 16, x2.AsByte());
        Sse2.Store(dst + 32, x3.AsByte());
        Sse2.Store(dst + 48, x4.AsByte());
        x1 ^= Vector128.CreateScalar(state).AsUInt64();
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        for (int off = 64; off < len; off += 64)
        {
            var y1 = Sse2.LoadVector128(src + off).AsUInt64();
            var y2 = Sse2.LoadVector128(src + off + 16).AsUInt64();
            var y3 = Sse2.LoadVector128(src + off + 32).AsUInt64();
            var y4 = Sse2.LoadVector128(src + off + 48).AsUInt64();
            Sse2.Store(dst + off, y1.AsByte());
            Sse2.Store(dst + off + 16, y2.AsByte());
            Sse2.Store(dst + off + 32, y3.AsByte());
            Sse2.Store(dst + off + 48, y4.AsByte());
            x1 = Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x11) ^ y1;
            x2 = Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x11) ^ y2;
            x3 = Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x11) ^ y3;
            x4 = Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x11) ^ y4;
        }
        return Reduce(x1, x2, x3, x4);
    }

    /// <summary>
    /// Folds <paramref name="len"/> bytes (a positive multiple of 256) at <paramref name="src"/> into the inverted
    /// running CRC <paramref name="state"/>, storing each 256-byte block to <paramref name="dst"/> as it goes when
    /// that is not null (the copy is nearly free: the bytes are in registers anyway). Four 512-bit accumulators
    /// each hold 64 consecutive bytes (four 128-bit lanes) and are folded forward 256 bytes a step; at the end they
    /// are folded into one, whose four lanes are exactly the four 128-bit accumulators <see cref="Reduce"/> finishes.
    /// </summary>
    /// <remarks>
    /// A 64-byte-aligned destination (tensor memory always is) is written with non-temporal stores, past the
    /// cache: a checkpoint's storages are not read back soon after loading, and streaming saves fetching every
    /// destination line before overwriting it — a fifth of the copy's time from the page cache into memory not
    /// in cache.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe uint FoldWide(uint state, byte* src, byte* dst, long len)
    {
        bool stream = dst != null && ((nuint)dst & 63) == 0;
        var z1 = Vector512.Load(src).AsUInt64();
        var z2 = Vector512.Load(src + 64).AsUInt64();
        var z3 = Vector512.Load(src + 128).AsUInt64();
        var z4 = Vector512.Load(src + 192).AsUInt64();
        if (dst != null) Store(dst, stream, z1, z2, z3, z4);
        z1 ^= Vector512.CreateScalar(state).AsUInt64();
        // x^(256*8+32) and x^(256*8-32) mod P, bit-reflected and shifted as k1k2 (which folds by 64 bytes) is.
        var k256 = Vector512.Create(0x011542778aUL, 0x01322d1430UL, 0x011542778aUL, 0x01322d1430UL,
                                    0x011542778aUL, 0x01322d1430UL, 0x011542778aUL, 0x01322d1430UL);
        for (long off = 256; off < len; off += 256)
        {
            var y1 = Vector512.Load(src + off).AsUInt64();
            var y2 = Vector512.Load(src + off + 64).AsUInt64();
            var y3 = Vector512.Load(src + off + 128).AsUInt64();
            var y4 = Vector512.Load(src + off + 192).AsUInt64();
            if (dst != null) Store(dst + off, stream, y1, y2, y3, y4);
            z1 = FoldWide(z1, k256) ^ y1;
            z2 = FoldWide(z2, k256) ^ y2;
            z3 = FoldWide(z3, k256) ^ y3;
            z4 = FoldWide(z4, k256) ^ y4;
        }
        if (stream) Sse.StoreFence();   // order the streamed stores before any later ones
        var k64 = Vector512.Create(0x0154442bd4UL, 0x01c6e41596UL, 0x0154442bd4UL, 0x01c6e41596UL,
                                   0x0154442bd4UL, 0x01c6e41596UL, 0x0154442bd4UL, 0x01c6e41596UL);
        var z = FoldWide(FoldWide(FoldWide(z1, k64) ^ z2, k64) ^ z3, k64) ^ z4;
        return Reduce(z.GetLower().GetLower(), z.GetLower().GetUpper(), z.GetUpper().GetLower(), z.GetUpper().GetUpper());
    }

    /// <summary>Writes 256 bytes (four registers) at <paramref name="dst"/>, streamed past the cache or not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void Store(byte* dst, bool stream, Vector512<ulong> a, Vector512<ulong> b, Vector512<ulong> c, Vector512<ulong> d)
    {
        if (stream)
        {
            Avx512F.StoreAlignedNonTemporal((ulong*)dst, a);
            Avx512F.StoreAlignedNonTemporal((ulong*)(dst + 64), b);
            Avx512F.StoreAlignedNonTemporal((ulong*)(dst + 128), c);
            Avx512F.StoreAlignedNonTemporal((ulong*)(dst + 192), d);
        }
        else
        {
            a.Store((ulong*)dst);
            b.Store((ulong*)(dst + 64));
            c.Store((ulong*)(dst + 128));
            d.Store((ulong*)(dst + 192));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<ulong> FoldWide(Vector512<ulong> x, Vector512<ulong> k)
        => Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static uint SliceBy8(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length, i = 0;
        for (; BitConverter.IsLittleEndian && i + 8 <= n; i += 8)
        {
            uint lo = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i)) ^ crc;
            uint hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            crc = t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >> 8) & 0xFF)] ^
                  t[5 * 256 + ((lo >> 16) & 0xFF)] ^ t[4 * 256 + (lo >> 24)] ^
                  t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >> 8) & 0xFF)] ^
                  t[1 * 256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
        }
        for (; i < n; i++) crc = t[(crc ^ Unsafe.Add(ref p, i)) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int s = 1; s < 8; s++)
            for (int i = 0; i < 256; i++)
                t[s * 256 + i] = t[(s - 1) * 256 + i] >> 8 ^ t[t[(s - 1) * 256 + i] & 0xFF];
        return t;
    }

    // Folding constants of the bit-reflected CRC-32 (x^(4*128+64) mod P etc.) and the Barrett pair.
    // Requires data.Length >= 64 and a multiple of 16; state is the inverted running CRC.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static uint FoldPclmul(uint state, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int len = data.Length;
        var x1 = Load(ref p, 0x00);
        var x2 = Load(ref p, 0x10);
        var x3 = Load(ref p, 0x20);
        var x4 = Load(ref p, 0x30);
        x1 ^= Vector128.CreateScalar(state).AsUInt64();
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        int off = 64;
        len -= 64;
        while (len >= 64)
        {
            var x5 = Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x00);
            var x6 = Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x00);
            var x7 = Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x00);
            var x8 = Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x00);
            x1 = Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x11);
            x2 = Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x11);
            x3 = Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x11);
            x4 = Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x11);
            x1 ^= x5 ^ Load(ref p, off);
            x2 ^= x6 ^ Load(ref p, off + 0x10);
            x3 ^= x7 ^ Load(ref p, off + 0x20);
            x4 ^= x8 ^ Load(ref p, off + 0x30);
            off += 64;
            len -= 64;
        }

        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var r = Fold(Fold(Fold(x1, k3k4) ^ x2, k3k4) ^ x3, k3k4) ^ x4;
        while (len >= 16)
        {
            r = Fold(r, k3k4) ^ Load(ref p, off);
            off += 16;
            len -= 16;
        }
        return Finish(r);
    }

    static uint Reduce(Vector128<ulong> x1, Vector128<ulong> x2, Vector128<ulong> x3, Vector128<ulong> x4)
    {
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        return Finish(Fold(Fold(Fold(x1, k3k4) ^ x2, k3k4) ^ x3, k3k4) ^ x4);
    }

    // 128 bits to 64, then Barrett reduction to the 32-bit state.
    static uint Finish(Vector128<ulong> x1)
    {
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var t2 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
        var mask = Vector128.Create(~0u, 0u, ~0u, 0u).AsUInt64();
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ t2;
        var k5 = Vector128.Create(0x0163cd6124UL, 0UL);
        t2 = Sse2.ShiftRightLogical128BitLane(x1, 4);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & mask, k5, 0x00) ^ t2;
        var poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        t2 = Pclmulqdq.CarrylessMultiply(x1 & mask, poly, 0x10) & mask;
        t2 = Pclmulqdq.CarrylessMultiply(t2, poly, 0x00);
        x1 ^= t2;
        return x1.AsUInt32().GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k)
        => Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<ulong> Load(ref byte p, int offset)
        => Unsafe.ReadUnaligned<Vector128<ulong>>(ref Unsafe.Add(ref p, offset));
}
