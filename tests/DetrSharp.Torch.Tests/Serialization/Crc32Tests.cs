using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>The zip CRC-32 (PCLMUL folding and table paths) against a bit-at-a-time reference.</summary>
public class Crc32Tests
{
    static uint Reference(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void KnownCheckValue() => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void EmptyIsZero() => Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));

    [Fact]
    public void MatchesReferenceForEveryLengthAndSplit()
    {
        var rnd = new Random(7);
        for (int n = 0; n < 1500; n += n < 300 ? 1 : 37)
        {
            var data = new byte[n];
            rnd.NextBytes(data);
            uint want = Reference(data);
            Assert.Equal(want, Crc32.Compute(data));
            int cut = n == 0 ? 0 : rnd.Next(n);
            Assert.Equal(want, Crc32.Append(Crc32.Compute(data.AsSpan(0, cut)), data.AsSpan(cut)));
        }
    }

    [Fact]
    public unsafe void NativeMemoryOverloadAgrees()
    {
        var data = new byte[100_003];
        new Random(3).NextBytes(data);
        fixed (byte* p = data)
            Assert.Equal(Reference(data), Crc32.Append(0, p, data.Length));
    }

    [Fact]
    public unsafe void CopyAndAppendCopiesAndMatches()
    {
        var rnd = new Random(5);
        foreach (int n in new[] { 0, 1, 63, 64, 65, 127, 128, 1000, 4096, 100_001 })
        {
            var src = new byte[n];
            var dst = new byte[n];
            rnd.NextBytes(src);
            fixed (byte* s = src)
            fixed (byte* d = dst)
                Assert.Equal(Reference(src), Crc32.CopyAndAppend(0, s, d, n));
            Assert.Equal(src, dst);
        }
    }

    /// <summary>
    /// Lengths around the 256-byte steps of the AVX-512 path, into 64-byte-aligned native memory (streamed
    /// stores, as for tensor memory) and at odd offsets from it (ordinary stores); never past the end.
    /// </summary>
    [Fact]
    public unsafe void CopyAndAppendIntoNativeMemoryAtAnyAlignment()
    {
        var rnd = new Random(11);
        const int Max = 3 * 256 + 64 + 17;
        var src = new byte[Max];
        rnd.NextBytes(src);
        byte* block = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Max + 64 + 1, 64);
        try
        {
            foreach (int offset in new[] { 0, 1, 16, 63 })
            {
                foreach (int n in new[] { 255, 256, 257, 319, 320, 511, 512, 513, 768, Max - offset })
                {
                    byte* dst = block + offset;
                    new Span<byte>(block, Max + 65).Fill(0xAA);
                    fixed (byte* s = src)
                        Assert.Equal(Reference(src.AsSpan(0, n)), Crc32.CopyAndAppend(0, s, dst, n));
                    Assert.True(src.AsSpan(0, n).SequenceEqual(new ReadOnlySpan<byte>(dst, n)), $"offset {offset}, length {n}: copy differs");
                    Assert.Equal(0xAA, dst[n]);
                }
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(block);
        }
    }

    [Fact]
    public void LargeBufferMatchesReference()
    {
        var data = new byte[(1 << 20) + 300];
        new Random(13).NextBytes(data);
        Assert.Equal(Reference(data), Crc32.Compute(data));
        Assert.Equal(Reference(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 1000)), data.AsSpan(1000)));
    }
}
