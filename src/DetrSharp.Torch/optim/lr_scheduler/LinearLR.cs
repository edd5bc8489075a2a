namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Scales each group's learning rate linearly from start_factor to end_factor over total_iters steps, then
        /// keeps it (the usual warm-up), as torch.optim.lr_scheduler.LinearLR:
        /// lr = base_lr * (start_factor + (end_factor - start_factor) * min(total_iters, last_epoch) / total_iters).
        /// </summary>
        public sealed class LinearLR : LRScheduler
        {
            double _startFactor, _endFactor;
            int _totalIters;

            public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1)
                : base(optimizer)
            {
                Validate(start_factor, end_factor, total_iters);
                _startFactor = start_factor;
                _endFactor = end_factor;
                _totalIters = total_iters;
                Initialize(last_epoch);
            }

            public double start_factor => _startFactor;
            public double end_factor => _endFactor;
            public int total_iters => _totalIters;

            static void Validate(double start, double end, int totalIters)
            {
                // PyTorch 1.13 accepts start_factor 0, then divides by zero on the first step: rejected here.
                if (!(start > 0 && start <= 1)) throw new ArgumentException($"Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got {start}");
                if (!(end >= 0 && end <= 1)) throw new ArgumentException($"Ending multiplicative factor expected to be between 0 and 1, got {end}");
                if (totalIters <= 0) throw new ArgumentException($"total_iters must be positive, got {totalIters}");
            }

            protected override IReadOnlyList<double> get_lr()
            {
                var lrs = GroupLrs();
                if (last_epoch == 0) return lrs.Select(lr => lr * _startFactor).ToArray();
                if (last_epoch > _totalIters) return lrs;
                return lrs.Select(lr => lr * (1.0 + (_endFactor - _startFactor)
                    / (_totalIters * _startFactor + (last_epoch - 1) * (_endFactor - _startFactor)))).ToArray();
            }

            protected override IReadOnlyList<double> get_closed_form_lr()
                => base_lrs.Select(b => b * (_startFactor + (_endFactor - _startFactor) * Math.Min(_totalIters, last_epoch) / _totalIters)).ToArray();

            private protected override void WriteSettings(Dictionary<string, object?> d)
            {
                d["start_factor"] = _startFactor;
                d["end_factor"] = _endFactor;
                d["total_iters"] = (long)_totalIters;
            }

            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d)
            {
                double start = d.TryGetValue("start_factor", out var s) ? StateValue.ToDouble(s, "start_factor") : _startFactor;
                double end = d.TryGetValue("end_factor", out var e) ? StateValue.ToDouble(e, "end_factor") : _endFactor;
                int total = d.TryGetValue("total_iters", out var t) ? checked((int)StateValue.ToLong(t, "total_iters")) : _totalIters;
                Validate(start, end, total);
                return () => { _startFactor = start; _endFactor = end; _totalIters = total; };
            }
        }
    }
}
