using System.Buffers;
using DetrSharp.Assignment;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// Per-image cost matrices copied out of target-major [B, T, Q] cost tensors once into one pooled buffer,
/// then solved together on the thread pool (<see cref="LinearSumAssignment.SolveBatch"/>). Images without
/// targets get <see cref="ImageMatch.Empty"/>.
/// </summary>
/// <remarks>
/// With more queries than targets (the usual case) scipy solves the transposed [n, Q] matrix and sorts the
/// pairs by query; that block is a contiguous slice of the target-major costs, so it is stored and solved
/// as it is and the pairs are sorted the same way. Otherwise the block is transposed to [Q, n] and solved
/// as scipy would. Either way the indices are scipy's for the [Q, n] matrix.
/// </remarks>
internal sealed class CostBlockSet : IDisposable
{
    float[] _buffer;
    int _used;
    readonly List<CostMatrix> _matrices = new();
    readonly List<(int Layer, int Image, bool TargetMajor)> _owners = new();

    /// <param name="capacity">Total floats of every block to come: Σ layers Q × (targets in the batch).</param>
    public CostBlockSet(long capacity)
    {
        if (capacity > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "cost blocks too large for one buffer");
        _buffer = ArrayPool<float>.Shared.Rent((int)Math.Max(capacity, 1));
    }

    /// <summary>Copies each image's block of one layer's costs.</summary>
    /// <param name="layer">Which layer the costs belong to.</param>
    /// <param name="costs">[B, T, Q] target-major costs (any device and dtype); rows past an image's count are padding.</param>
    /// <param name="counts">Targets per image (≤ T).</param>
    public void Add(int layer, Tensor costs, int[] counts)
    {
        var shape = costs.shape;
        int batch = (int)shape[0], height = (int)shape[1], queries = (int)shape[2];
        using var host = ToHostFloat(costs);
        ReadOnlySpan<float> src = host.AsSpan<float>();                    // [B, T, Q], read in place
        for (int b = 0; b < batch; b++)
        {
            int n = counts[b];
            if (n == 0 || queries == 0) continue;
            int size = queries * n;
            var dest = _buffer.AsSpan(_used, size);
            var block = src.Slice(b * height * queries, size);                // rows t < n of image b: [n, Q]
            bool targetMajor = queries > n;
            if (targetMajor) block.CopyTo(dest);                            // [n, Q], solved transposed as scipy does
            else
                for (int t = 0; t < n; t++)                                  // [Q, n]
                    for (int q = 0; q < queries; q++)
                        dest[q * n + t] = block[t * queries + q];
            _matrices.Add(targetMajor
                ? new CostMatrix(new ReadOnlyMemory<float>(_buffer, _used, size), n, queries)
                : new CostMatrix(new ReadOnlyMemory<float>(_buffer, _used, size), queries, n));
            _owners.Add((layer, b, targetMajor));
            _used += size;
        }
    }

    /// <summary>The tensor as contiguous float32 CPU memory (itself when it is already).</summary>
    static Tensor ToHostFloat(Tensor t)
    {
        if (t.device.type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous()) return t.alias();
        using var moved = t.to(ScalarType.Float32, Device.CPU);
        return moved.contiguous();
    }

    /// <summary>Each stored block as a row-major [Q × n_b] float array (empty for images without targets).</summary>
    public float[][] Blocks(int batchSize)
    {
        var result = Enumerable.Range(0, batchSize).Select(_ => Array.Empty<float>()).ToArray();
        for (int k = 0; k < _matrices.Count; k++)
        {
            var m = _matrices[k];
            var values = m.Singles.ToArray();
            if (_owners[k].TargetMajor)
            {
                int n = m.Rows, queries = m.Cols;
                var qn = new float[values.Length];
                for (int t = 0; t < n; t++)
                    for (int q = 0; q < queries; q++)
                        qn[q * n + t] = values[t * queries + q];
                values = qn;
            }
            result[_owners[k].Image] = values;
        }
        return result;
    }

    /// <summary>
    /// Solves every stored block, in parallel when they hold at least <paramref name="parallelMinEntries"/>
    /// entries in all; result[layer][image].
    /// </summary>
    public ImageMatch[][] Solve(int layers, int batchSize, int maxDegreeOfParallelism, long parallelMinEntries, string op)
    {
        var result = new ImageMatch[layers][];
        for (int l = 0; l < layers; l++) result[l] = Enumerable.Repeat(ImageMatch.Empty, batchSize).ToArray();
        if (_matrices.Count == 0) return result;

        Assignment.Assignment[] solved;
        try
        {
            int width = _used < parallelMinEntries ? 1 : maxDegreeOfParallelism;
            solved = LinearSumAssignment.SolveBatch(_matrices, maximize: false, width);
        }
        catch (CostMatrixException e)
        {
            throw Describe(e, layers > 1, op);
        }
        for (int k = 0; k < solved.Length; k++)
        {
            var (layer, image, targetMajor) = _owners[k];
            result[layer][image] = ToMatch(solved[k], targetMajor);
        }
        return result;
    }

    /// <summary>(src, tgt) sorted by src; a target-major solve has targets as rows and queries as columns.</summary>
    static ImageMatch ToMatch(Assignment.Assignment a, bool targetMajor)
    {
        var src = new long[a.Count];
        var tgt = new long[a.Count];
        for (int i = 0; i < a.Count; i++)
        {
            src[i] = targetMajor ? a.Cols[i] : a.Rows[i];
            tgt[i] = targetMajor ? a.Rows[i] : a.Cols[i];
        }
        if (targetMajor) Array.Sort(src, tgt);
        return new ImageMatch(src, tgt);
    }

    /// <summary>Names the first image whose cost matrix holds a non-finite value.</summary>
    ArgumentException Describe(CostMatrixException e, bool manyLayers, string op)
    {
        for (int k = 0; k < _matrices.Count; k++)
        {
            var values = _matrices[k].Singles.Span;
            int bad = -1;
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i])) { bad = i; break; }
            if (bad < 0) continue;
            var (layer, image, targetMajor) = _owners[k];
            int cols = _matrices[k].Cols;
            int query = targetMajor ? bad % cols : bad / cols, target = targetMajor ? bad / cols : bad % cols;
            var where = manyLayers ? $"image {image} of layer {layer}" : $"image {image}";
            return new ArgumentException(
                $"{op}: the cost matrix of {where} holds {values[bad]} at query {query}, target {target} " +
                $"(NaN or infinite pred_logits / pred_boxes?): {e.Reason}", e);
        }
        return new ArgumentException($"{op}: linear sum assignment refused a cost matrix: {e.Reason}", e);
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<float>.Shared.Return(_buffer);
        _buffer = [];
        _matrices.Clear();
    }
}
