namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Multiplies each group's learning rate by gamma every step_size steps, as torch.optim.lr_scheduler.StepLR:
        /// lr = base_lr * gamma^(last_epoch // step_size).
        /// </summary>
        public sealed class StepLR : LRScheduler
        {
            int _stepSize;
            double _gamma;

            public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) : base(optimizer)
            {
                if (step_size <= 0) throw new ArgumentOutOfRangeException(nameof(step_size), step_size, "step_size must be positive");
                _stepSize = step_size;
                _gamma = gamma;
                Initialize(last_epoch);
            }

            public int step_size => _stepSize;
            public double gamma => _gamma;

            protected override IReadOnlyList<double> get_lr()
            {
                var lrs = GroupLrs();
                if (last_epoch == 0 || FloorMod(last_epoch, _stepSize) != 0) return lrs;
                return lrs.Select(lr => lr * _gamma).ToArray();
            }

            protected override IReadOnlyList<double> get_closed_form_lr()
                => base_lrs.Select(b => b * Math.Pow(_gamma, FloorDiv(last_epoch, _stepSize))).ToArray();

            private protected override void WriteSettings(Dictionary<string, object?> d)
            {
                d["step_size"] = (long)_stepSize;
                d["gamma"] = _gamma;
            }

            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d)
            {
                int stepSize = d.TryGetValue("step_size", out var s) ? checked((int)StateValue.ToLong(s, "step_size")) : _stepSize;
                double gamma = d.TryGetValue("gamma", out var g) ? StateValue.ToDouble(g, "gamma") : _gamma;
                if (stepSize <= 0) throw new ArgumentException($"step_size must be positive, got {stepSize}");
                return () => { _stepSize = stepSize; _gamma = gamma; };
            }
        }
    }
}
