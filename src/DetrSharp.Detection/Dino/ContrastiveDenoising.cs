using DetrSharp.Detection.Matching;
using DetrSharp.Detection.Models;
using DetrSharp.Torch;

namespace DetrSharp.Detection.Dino;

/// <summary>
/// DINO's contrastive denoising queries (dn_components.prepare_for_cdn, training): every target copied into
/// groups of a positive and a negative slot; labels flipped to a random class with probability
/// label_noise_ratio / 2; boxes jittered by up to box_noise_scale × half their size (negatives pushed out by
/// a further 1×); the self-attention mask that keeps the groups and the matching queries apart. Random numbers
/// come from the given generator in the reference's order, so the same seed gives the reference's queries.
/// </summary>
public static class ContrastiveDenoising
{
    /// <summary>
    /// Groups: dn_number doubled; when that is ≥ 100, divided by twice the batch's largest target count (at least
    /// 1); with no targets at all, 1 group and no slots.
    /// </summary>
    public static long Groups(int dnNumber, long maxTargets)
    {
        long groups = 2L * dnNumber;
        if (maxTargets == 0) return 1;
        if (groups >= 100) groups /= 2 * maxTargets;
        return Math.Max(groups, 1);
    }

    /// <param name="targets">per image labels [T_i] int64 and normalised cxcywh boxes [T_i, 4]</param>
    /// <param name="dnNumber">the config's dn_number (before doubling)</param>
    /// <param name="labelNoiseRatio">twice the probability of a label flip</param>
    /// <param name="boxNoiseScale">box jitter, in half box sizes</param>
    /// <param name="numQueries">matching queries after the dn ones (for the mask)</param>
    /// <param name="numClasses">flipped labels are drawn from [0, numClasses)</param>
    /// <param name="generator">random source (the default generator when null)</param>
    public static DnQueries Prepare(IReadOnlyList<DetectionTarget> targets, int dnNumber, double labelNoiseRatio, double boxNoiseScale,
        int numQueries, int numClasses, Generator? generator = null)
    {
        if (targets.Count == 0) throw new ArgumentException("ContrastiveDenoising: needs at least one image's targets", nameof(targets));
        var device = targets[0].Boxes.device;
        var counts = targets.Select(t => t.Labels.size(0)).ToArray();
        long maxTargets = counts.Max();
        long groups = Groups(dnNumber, maxTargets);
        long singlePad = maxTargets;
        long padSize = singlePad * 2 * groups;
        long batch = targets.Count;

        using var scope = torch.NewDisposeScope();
        var labels = torch.cat(targets.Select(t => t.Labels.to(ScalarType.Int64)).ToArray());                      // [T]
        var boxes = torch.cat(targets.Select(t => t.Boxes.to(ScalarType.Float32)).ToArray());                      // [T, 4]
        long total = labels.size(0);
        long copies = 2 * groups;
        var knownLabels = labels.repeat(copies);                                                                   // [2G·T]
        var knownBoxes = boxes.repeat(copies, 1);                                                                  // [2G·T, 4]

        if (labelNoiseRatio > 0)
        {
            var p = torch.rand(new[] { copies * total }, generator: generator, device: device);
            var chosen = p.lt(labelNoiseRatio * 0.5).nonzero().view(-1);                                           // [c]
            var newLabels = torch.randint(0, numClasses, new[] { chosen.size(0) }, ScalarType.Int64, device, generator);
            knownLabels = knownLabels.scatter(0, chosen, newLabels);
        }
        if (boxNoiseScale > 0 && total > 0)
        {
            var centre = knownBoxes.narrow(1, 0, 2);
            var half = knownBoxes.narrow(1, 2, 2).div(2);
            var xyxy = torch.cat(new[] { centre.sub(half), centre.add(half) }, 1);                                  // [n, 4]
            var diff = torch.cat(new[] { half, half }, 1);                                                         // [n, 4]
            var sign = torch.randint(0, 2, new[] { copies * total, 4L }, ScalarType.Float32, device, generator).mul(2.0).sub(1.0);
            var part = torch.rand(new[] { copies * total, 4L }, generator: generator, device: device);
            // negatives (the second half of each group's copies) get 1 more half size of push
            var isNegative = torch.arange(copies, ScalarType.Int64, device).remainder(2).repeat_interleave(total).to(ScalarType.Float32).unsqueeze(1);
            part = part.add(isNegative).mul(sign);
            xyxy = xyxy.add(part.mul(diff).mul(boxNoiseScale)).clamp(0.0, 1.0);
            var lo = xyxy.narrow(1, 0, 2);
            var hi = xyxy.narrow(1, 2, 2);
            knownBoxes = torch.cat(new[] { lo.add(hi).div(2), hi.sub(lo) }, 1);
        }

        // slot of copy k of image b's j-th target: k·single_pad + j
        var imageOf = new long[copies * total];
        var slotOf = new long[copies * total];
        for (long k = 0, i = 0; k < copies; k++)
            for (int b = 0; b < batch; b++)
                for (long j = 0; j < counts[b]; j++, i++)
                {
                    imageOf[i] = b;
                    slotOf[i] = k * singlePad + j;
                }
        var outLabels = torch.full(new[] { batch, padSize }, -1L, ScalarType.Int64, device);                     // [B, pad]
        var outBoxes = torch.zeros(new[] { batch, padSize, 4L }, ScalarType.Float32, device);                     // [B, pad, 4]
        if (imageOf.Length > 0)
        {
            var bi = torch.tensor(imageOf, new[] { (long)imageOf.Length }, device: device);
            var si = torch.tensor(slotOf, new[] { (long)slotOf.Length }, device: device);
            outLabels.index_put_(new Tensor?[] { bi, si }, knownLabels);
            outBoxes.index_put_(new Tensor?[] { bi, si }, AnchorMath.InverseSigmoid(knownBoxes));
        }
        var mask = AttentionMask(padSize, singlePad, groups, numQueries, device);
        scope.MoveToOuter(outLabels, outBoxes, mask);
        return new DnQueries(outLabels, outBoxes, mask, padSize, groups);
    }

    /// <summary>
    /// [pad + Q, pad + Q] bool, true = blocked: matching queries cannot see any dn query; a dn group cannot see
    /// another group; dn queries see the matching queries.
    /// </summary>
    public static Tensor AttentionMask(long padSize, long singlePad, long groups, long numQueries, Device? device = null)
    {
        long size = padSize + numQueries;
        var blocked = new bool[size * size];
        long groupSize = 2 * singlePad;
        for (long r = 0; r < size; r++)
            for (long c = 0; c < padSize; c++)
                blocked[r * size + c] = r >= padSize || r / groupSize != c / groupSize;
        return torch.tensor(blocked, new[] { size, size }, device: device);
    }
}
