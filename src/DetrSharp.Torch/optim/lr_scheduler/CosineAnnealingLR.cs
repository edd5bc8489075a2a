namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Cosine annealing from each group's base lr down to eta_min over T_max steps (and back up after, as the
        /// cosine goes on), as torch.optim.lr_scheduler.CosineAnnealingLR with PyTorch 1.13's recursive (chained)
        /// form; the closed form is eta_min + (base_lr - eta_min) * (1 + cos(pi * last_epoch / T_max)) / 2.
        /// </summary>
        public sealed class CosineAnnealingLR : LRScheduler
        {
            int _tMax;
            double _etaMin;

            public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) : base(optimizer)
            {
                if (T_max <= 0) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be positive");
                _tMax = T_max;
                _etaMin = eta_min;
                Initialize(last_epoch);
            }

            public int T_max => _tMax;
            public double eta_min => _etaMin;

            protected override IReadOnlyList<double> get_lr()
            {
                var lrs = GroupLrs();
                var bases = base_lrs;
                var result = new double[lrs.Count];
                for (int i = 0; i < result.Length; i++)
                {
                    double lr = lrs[i], baseLr = i < bases.Count ? bases[i] : lr;
                    if (last_epoch == 0)
                        result[i] = lr;
                    else if (StepCount == 1 && last_epoch > 0)
                        result[i] = _etaMin + (baseLr - _etaMin) * (1 + Math.Cos(last_epoch * Math.PI / _tMax)) / 2;
                    else if (FloorMod(last_epoch - 1 - _tMax, 2 * _tMax) == 0)
                        result[i] = lr + (baseLr - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2;
                    else
                        result[i] = (1 + Math.Cos(Math.PI * last_epoch / _tMax)) / (1 + Math.Cos(Math.PI * (last_epoch - 1) / _tMax))
                            * (lr - _etaMin) + _etaMin;
                }
                return result;
            }

            protected override IReadOnlyList<double> get_closed_form_lr()
                => base_lrs.Select(b => _etaMin + (b - _etaMin) * (1 + Math.Cos(Math.PI * last_epoch / _tMax)) / 2).ToArray();

            private protected override void WriteSettings(Dictionary<string, object?> d)
            {
                d["T_max"] = (long)_tMax;
                d["eta_min"] = _etaMin;
            }

            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d)
            {
                int tMax = d.TryGetValue("T_max", out var t) ? checked((int)StateValue.ToLong(t, "T_max")) : _tMax;
                double etaMin = d.TryGetValue("eta_min", out var e) ? StateValue.ToDouble(e, "eta_min") : _etaMin;
                if (tMax <= 0) throw new ArgumentException($"T_max must be positive, got {tMax}");
                return () => { _tMax = tMax; _etaMin = etaMin; };
            }
        }
    }
}
