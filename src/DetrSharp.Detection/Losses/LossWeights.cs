using DetrSharp.Torch;

namespace DetrSharp.Detection.Losses;

/// <summary>The weight_dict of DETR's build() and the weighted total of engine.py.</summary>
public static class LossWeights
{
    /// <summary>
    /// detr.py build(): loss_ce 1, loss_bbox and loss_giou their coefficients, loss_mask and loss_dice with
    /// masks, then with aux_loss the same keys suffixed _0 .. _{decLayers - 2}.
    /// </summary>
    /// <param name="decLayers">Decoder layers (aux keys for all but the last).</param>
    /// <param name="bboxLossCoef">--bbox_loss_coef (5).</param>
    /// <param name="giouLossCoef">--giou_loss_coef (2).</param>
    /// <param name="auxLoss">Add the aux layers' keys.</param>
    /// <param name="masks">Add loss_mask and loss_dice.</param>
    /// <param name="maskLossCoef">--mask_loss_coef (1).</param>
    /// <param name="diceLossCoef">--dice_loss_coef (1).</param>
    /// <param name="ceLossCoef">loss_ce's weight (1 in DETR, cls_loss_coef 1 in DINO).</param>
    public static Dictionary<string, double> Detr(int decLayers = 6, double bboxLossCoef = 5, double giouLossCoef = 2, bool auxLoss = true,
        bool masks = false, double maskLossCoef = 1, double diceLossCoef = 1, double ceLossCoef = 1)
    {
        var weights = new Dictionary<string, double>
        {
            ["loss_ce"] = ceLossCoef,
            ["loss_bbox"] = bboxLossCoef,
            ["loss_giou"] = giouLossCoef,
        };
        if (masks)
        {
            weights["loss_mask"] = maskLossCoef;
            weights["loss_dice"] = diceLossCoef;
        }
        if (auxLoss)
        {
            var main = weights.ToArray();
            for (int i = 0; i < decLayers - 1; i++)
                foreach (var (k, v) in main) weights[$"{k}_{i}"] = v;
        }
        return weights;
    }

    /// <summary>
    /// Σ loss[k] · weight[k] over the losses whose key has a weight, in the losses' order (engine.py's
    /// sum(loss_dict[k] * weight_dict[k] for k in loss_dict.keys() if k in weight_dict)).
    /// </summary>
    /// <returns>A 0-d tensor (0 when no key has a weight).</returns>
    public static Tensor WeightedTotal(IReadOnlyDictionary<string, Tensor> losses, IReadOnlyDictionary<string, double> weights)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(weights);
        Tensor? total = null;
        Tensor? any = null;
        foreach (var (key, loss) in losses)
        {
            any ??= loss;
            if (!weights.TryGetValue(key, out var w)) continue;
            var term = loss.mul(w);
            if (total is null) total = term;
            else
            {
                var next = total + term;
                total.Dispose();
                term.Dispose();
                total = next;
            }
        }
        return total ?? (any is null ? torch.zeros([]) : torch.zeros([], any.dtype, any.device));
    }
}
