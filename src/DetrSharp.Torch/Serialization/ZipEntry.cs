namespace DetrSharp.Torch.Serialization;

/// <summary>One record of a zip archive's central directory (sizes already widened by any zip64 field).</summary>
/// <param name="Name">Full record name, e.g. <c>archive/data/0</c>.</param>
/// <param name="Method">0 = STORED, 8 = DEFLATE.</param>
/// <param name="Flags">General-purpose bit flags (bit 0: encrypted, bit 3: data descriptor).</param>
/// <param name="Crc">The CRC-32 the directory records for the uncompressed bytes.</param>
/// <param name="CompressedSize">Bytes the record occupies in the file.</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="LocalHeaderOffset">Where the record's local header starts.</param>
public sealed record ZipEntry(string Name, int Method, int Flags, uint Crc, long CompressedSize, long Size, long LocalHeaderOffset)
{
    /// <summary>Method number of STORED records.</summary>
    public const int Stored = 0;

    /// <summary>Method number of DEFLATE records.</summary>
    public const int Deflated = 8;
}
