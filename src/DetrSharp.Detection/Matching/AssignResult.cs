using DetrSharp.Torch;

namespace DetrSharp.Detection.Matching;

/// <summary>
/// mmdetection's AssignResult of a one-to-one assignment: for each prediction the 1-based index of its
/// ground truth (0 = background) and that ground truth's label (-1 = unmatched).
/// </summary>
public sealed class AssignResult
{
    /// <summary>Creates a result.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public AssignResult(int numGts, long[] assignedGtInds, long[] labels)
    {
        ArgumentNullException.ThrowIfNull(assignedGtInds);
        ArgumentNullException.ThrowIfNull(labels);
        if (assignedGtInds.Length != labels.Length)
            throw new ArgumentException($"AssignResult: {assignedGtInds.Length} indices but {labels.Length} labels", nameof(labels));
        NumGts = numGts;
        AssignedGtInds = assignedGtInds;
        Labels = labels;
    }

    /// <summary>Number of ground-truth boxes.</summary>
    public int NumGts { get; }

    /// <summary>Per prediction: k + 1 when matched to ground truth k, 0 for background (-1 when there were no predictions to assign).</summary>
    public long[] AssignedGtInds { get; }

    /// <summary>Per prediction: the matched ground truth's label, -1 when unmatched.</summary>
    public long[] Labels { get; }

    /// <summary><see cref="AssignedGtInds"/> as an int64 tensor [num_query].</summary>
    public Tensor AssignedGtIndsTensor(Device? device = null) => torch.tensor(AssignedGtInds, [AssignedGtInds.Length], ScalarType.Int64, device);

    /// <summary><see cref="Labels"/> as an int64 tensor [num_query].</summary>
    public Tensor LabelsTensor(Device? device = null) => torch.tensor(Labels, [Labels.Length], ScalarType.Int64, device);
}
