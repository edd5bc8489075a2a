namespace DetrSharp.Evaluation;

/// <summary>
/// Id to position lookup for image and category ids: a flat table when the ids span a modest range
/// (COCO's image ids do), a dictionary otherwise. The first position given for an id wins.
/// </summary>
internal sealed class IdIndex
{
    const long MaxTable = 1 << 22;
    readonly long min;
    readonly int[]? table;                       // position + 1, 0 = absent
    readonly Dictionary<long, int>? map;

    public IdIndex(ReadOnlySpan<long> ids)
    {
        if (ids.Length == 0) { map = []; return; }
        long lo = long.MaxValue, hi = long.MinValue;
        foreach (long id in ids) { lo = Math.Min(lo, id); hi = Math.Max(hi, id); }
        var span = (UInt128)(Int128)hi - (UInt128)(Int128)lo;
        if (span < (UInt128)Math.Max(MaxTable, 4L * ids.Length) && span < int.MaxValue)
        {
            min = lo;
            table = new int[(int)span + 1];
            for (int i = 0; i < ids.Length; i++)
                if (table[ids[i] - lo] == 0) table[ids[i] - lo] = i + 1;
            return;
        }
        map = new Dictionary<long, int>(ids.Length);
        for (int i = 0; i < ids.Length; i++) map.TryAdd(ids[i], i);
    }

    public bool TryGet(long id, out int position)
    {
        if (table != null)
        {
            if (id >= min)
            {
                ulong off = unchecked((ulong)(id - min));   // exact even when id - min exceeds long.MaxValue
                if (off < (ulong)table.Length && table[off] != 0) { position = table[off] - 1; return true; }
            }
            position = -1;
            return false;
        }
        return map!.TryGetValue(id, out position);
    }

    public bool Contains(long id) => TryGet(id, out _);
}
