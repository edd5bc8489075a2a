namespace DetrSharp.Assignment;

/// <summary>
/// Every buffer one solve needs, kept per thread and reused, so that a call allocates nothing but its
/// result once the buffers have grown to the sizes in use. Buffers larger than
/// <see cref="RetainedCostEntries"/> (a converted or transposed copy of a very large matrix) are dropped
/// after the call rather than held by the thread.
/// </summary>
internal sealed unsafe class SolverWorkspace
{
    /// <summary>Largest cost copy (in doubles, 64 MiB) a thread keeps between calls.</summary>
    public const long RetainedCostEntries = 1L << 23;

    [ThreadStatic] static SolverWorkspace? t_current;

    /// <summary>The calling thread's workspace.</summary>
    public static SolverWorkspace Current => t_current ??= new SolverWorkspace();

    readonly PinnedBuffer<double> _cost = new();
    readonly PinnedBuffer<double> _u = new(), _v = new(), _w = new(), _d = new(), _spc = new();
    readonly PinnedBuffer<int> _path = new(), _row4col = new(), _col4row = new(), _remaining = new(), _pos = new(), _done = new(), _touched = new();

    /// <summary>The matrix as solved (transposed, negated or converted), when a copy is needed.</summary>
    public double* CostCopy(long entries) => _cost.Ensure(entries);

    /// <summary>Row duals u, one per row.</summary>
    public double* U;
    /// <summary>Column duals v, one per column.</summary>
    public double* V;
    /// <summary>v for columns still open in the current search, -inf for those already settled.</summary>
    public double* W;
    /// <summary>Tentative shortest path length per open column (+inf once settled).</summary>
    public double* D;
    /// <summary>The row each column's shortest path comes from.</summary>
    public int* Path;
    /// <summary>The final shortest path length of each settled column.</summary>
    public double* Spc;
    /// <summary>Row assigned to each column, or -1.</summary>
    public int* Row4Col;
    /// <summary>Column assigned to each row, or -1.</summary>
    public int* Col4Row;
    /// <summary>The open columns in scipy's scan order (the tie-break order).</summary>
    public int* Remaining;
    /// <summary>Each column's position in <see cref="Remaining"/>.</summary>
    public int* Pos;
    /// <summary>The columns settled in the current search, in order.</summary>
    public int* Done;
    /// <summary>Columns whose <see cref="Pos"/> changed in the current search (two per settled column).</summary>
    public int* Touched;

    /// <summary>Sizes the solver buffers for an nr x nc problem (nr &lt;= nc).</summary>
    public void Prepare(int nr, int nc)
    {
        U = _u.Ensure(nr);
        Col4Row = _col4row.Ensure(nr);
        V = _v.Ensure(nc);
        W = _w.Ensure(nc);
        D = _d.Ensure(nc);
        Path = _path.Ensure(nc);
        Spc = _spc.Ensure(nc);
        Row4Col = _row4col.Ensure(nc);
        Remaining = _remaining.Ensure(nc);
        Pos = _pos.Ensure(nc);
        Done = _done.Ensure(nc);
        Touched = _touched.Ensure(2L * nc);
    }

    /// <summary>Drops a cost copy too large to keep around.</summary>
    public void Trim()
    {
        if (_cost.Capacity > RetainedCostEntries) _cost.Release();
    }
}
