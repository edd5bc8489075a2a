using DetrSharp.Torch;
using DetrSharp.Torch.Distributed;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Every rank's byte message, of any length, on every rank: torch.distributed's all_gather_object done with two
/// all-gathers of the group (the lengths, then the messages as uint8 tensors padded to the longest).
/// </summary>
public static class ByteGather
{
    /// <summary>Each rank's <paramref name="mine"/>, indexed by rank (the same on every rank).</summary>
    public static byte[][] AllGather(ProcessGroup group, byte[] mine)
    {
        long[] lengths;
        using (var length = torch.tensor(new long[] { mine.LongLength }))
        using (var all = group.AllGather(length)) // [world, 1]
            lengths = all.data<long>();
        long longest = Math.Max(1, lengths.Max());
        var padded = new byte[longest];
        mine.CopyTo(padded, 0);
        byte[] flat;
        using (var message = torch.tensor(padded))
        using (var all = group.AllGather(message)) // [world, longest]
            flat = all.data<byte>();
        var result = new byte[group.Size][];
        for (int r = 0; r < group.Size; r++)
            result[r] = flat.AsSpan((int)(r * longest), (int)lengths[r]).ToArray();
        return result;
    }
}
