namespace DetrSharp.Torch;

/// <summary>Automatic mixed precision helpers (torch.amp): the loss scaler float16 training needs.</summary>
public static partial class amp
{
    /// <summary>
    /// Dynamic loss scaling as torch.cuda.amp.GradScaler does it, for float16 autocast: the loss is multiplied by
    /// <see cref="get_scale"/> before backward so small gradients do not flush to zero in float16; the gradients are
    /// divided by it again (<see cref="unscale_"/>, before clipping) and checked for inf/NaN; <see cref="step"/> skips the
    /// optimizer step when any is not finite; <see cref="update"/> then multiplies the scale by
    /// <c>backoff_factor</c> after such a step, or by <c>growth_factor</c> after <c>growth_interval</c> finite steps in a
    /// row. Per step: <c>scale(loss).backward(); unscale_(params); clip; step(optimizer, params); update();</c>.
    /// The logic is device independent (the scale is kept on the host; one host read per step for the inf check).
    /// </summary>
    public sealed class GradScaler
    {
        readonly double _growthFactor, _backoffFactor;
        readonly int _growthInterval;
        double _scale;
        int _growthTracker;
        // the step's state: gradients unscaled (and whether one was not finite)
        bool _unscaled;
        bool _foundInf;

        /// <param name="init_scale">the first scale (65536 = 2^16, torch's default)</param>
        /// <param name="growth_factor">the scale's factor after growth_interval finite steps in a row</param>
        /// <param name="backoff_factor">the scale's factor after a step with inf/NaN gradients</param>
        /// <param name="growth_interval">finite steps in a row before the scale grows</param>
        public GradScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5, int growth_interval = 2000)
        {
            if (!(init_scale > 0) || !double.IsFinite(init_scale)) throw new ArgumentOutOfRangeException(nameof(init_scale), init_scale, "the initial scale must be positive and finite");
            if (!(growth_factor > 1)) throw new ArgumentOutOfRangeException(nameof(growth_factor), growth_factor, "the growth factor must be above 1");
            if (!(backoff_factor > 0 && backoff_factor < 1)) throw new ArgumentOutOfRangeException(nameof(backoff_factor), backoff_factor, "the backoff factor must be in (0, 1)");
            if (growth_interval <= 0) throw new ArgumentOutOfRangeException(nameof(growth_interval), growth_interval, "the growth interval must be positive");
            _scale = init_scale;
            _growthFactor = growth_factor;
            _backoffFactor = backoff_factor;
            _growthInterval = growth_interval;
        }

        /// <summary>The current scale.</summary>
        public double get_scale() => _scale;

        /// <summary>Finite steps since the scale last changed.</summary>
        public int growth_tracker => _growthTracker;

        /// <summary>Whether the gradients unscaled in this step held inf or NaN (valid after <see cref="unscale_"/>).</summary>
        public bool found_inf => _foundInf;

        /// <summary>The loss times the scale, to call backward on.</summary>
        public Tensor scale(Tensor loss) => loss * _scale;

        /// <summary>
        /// Divides every parameter's gradient by the scale in place and records whether any holds inf or NaN; returns
        /// true when all are finite. Once per step, before clipping (clipping then sees the true gradients).
        /// </summary>
        public bool unscale_(IEnumerable<Tensor> parameters)
        {
            if (_unscaled) throw new InvalidOperationException("GradScaler.unscale_ was already called in this step (call update() after each step)");
            using var scope = torch.NewDisposeScope();
            double inv = 1.0 / _scale;
            var finite = new List<Tensor>();
            foreach (var p in parameters)
            {
                if (p.grad is not { } g) continue;
                g.mul_(inv);
                finite.Add(g.isfinite().all());
            }
            _foundInf = finite.Count > 0 && !torch.stack(finite).all().item<bool>();
            _unscaled = true;
            return !_foundInf;
        }

        /// <summary>
        /// The optimizer step unless the gradients hold inf or NaN (unscaling them first when
        /// <see cref="unscale_"/> was not called); returns whether the optimizer stepped.
        /// </summary>
        public bool step(optim.Optimizer optimizer, IEnumerable<Tensor> parameters)
        {
            if (!_unscaled) unscale_(parameters);
            if (_foundInf) return false;
            optimizer.step();
            return true;
        }

        /// <summary>Ends the step: backs the scale off after inf/NaN gradients, grows it after growth_interval finite steps.</summary>
        public void update()
        {
            if (!_unscaled) throw new InvalidOperationException("GradScaler.update: no gradients were unscaled in this step (call unscale_ or step first)");
            if (_foundInf)
            {
                _scale *= _backoffFactor;
                _growthTracker = 0;
            }
            else if (++_growthTracker == _growthInterval)
            {
                _scale *= _growthFactor;
                _growthTracker = 0;
            }
            _unscaled = false;
            _foundInf = false;
        }

        /// <summary>torch's GradScaler.state_dict keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker.</summary>
        public Dictionary<string, object?> state_dict() => new()
        {
            ["scale"] = _scale, ["growth_factor"] = _growthFactor, ["backoff_factor"] = _backoffFactor,
            ["growth_interval"] = (long)_growthInterval, ["_growth_tracker"] = (long)_growthTracker,
        };

        /// <summary>Restores the scale and growth tracker of <see cref="state_dict"/>.</summary>
        public void load_state_dict(IReadOnlyDictionary<string, object?> state)
        {
            _scale = Convert.ToDouble(state["scale"], System.Globalization.CultureInfo.InvariantCulture);
            _growthTracker = Convert.ToInt32(state["_growth_tracker"], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
