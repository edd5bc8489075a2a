namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>torch.optim.lr_scheduler: learning-rate schedules that set the optimizer's group lr on each step().</summary>
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Base of the schedulers, as PyTorch 1.13's _LRScheduler: on creation it records each group's
        /// 'initial_lr' (base_lrs) and takes step 0; each <see cref="step"/> advances <see cref="last_epoch"/>
        /// and writes the new learning rates into the optimizer's groups. Subclasses give the chained form
        /// (<see cref="get_lr"/>, from the groups' current lr) and, where PyTorch has one, the closed form.
        /// </summary>
        public abstract class LRScheduler
        {
            List<double> _baseLrs = new();
            List<double> _lastLr = new();

            private protected LRScheduler(Optimizer optimizer)
            {
                ArgumentNullException.ThrowIfNull(optimizer);
                this.optimizer = optimizer;
            }

            /// <summary>The optimizer whose groups this scheduler drives.</summary>
            public Optimizer optimizer { get; }

            /// <summary>The index of the last step taken (0 after creation).</summary>
            public int last_epoch { get; internal set; }

            /// <summary>Each group's 'initial_lr'.</summary>
            public IReadOnlyList<double> base_lrs => _baseLrs;

            /// <summary>How many times step() ran (the creation step included), as PyTorch's _step_count.</summary>
            private protected int StepCount { get; set; }

            /// <summary>The learning rates the last step set, one per group.</summary>
            public IReadOnlyList<double> get_last_lr() => _lastLr.ToArray();

            /// <summary>The chained form: the new learning rates from the groups' current ones.</summary>
            protected abstract IReadOnlyList<double> get_lr();

            /// <summary>The closed form (from base_lrs and last_epoch) where PyTorch has one, else null.</summary>
            protected virtual IReadOnlyList<double>? get_closed_form_lr() => null;

            /// <summary>
            /// PyTorch's _LRScheduler.__init__: records 'initial_lr' in every group (last_epoch -1: a fresh
            /// schedule) or requires it (resuming at last_epoch), then takes the initial step.
            /// </summary>
            private protected void Initialize(int last_epoch)
            {
                if (last_epoch < -1) throw new ArgumentOutOfRangeException(nameof(last_epoch), last_epoch, "last_epoch must be -1 (a new schedule) or a step index");
                var groups = optimizer.param_groups;
                if (last_epoch == -1)
                {
                    foreach (var g in groups) g.initial_lr ??= g.lr;
                }
                else
                {
                    for (int i = 0; i < groups.Count; i++)
                        if (groups[i].initial_lr is null)
                            throw new InvalidOperationException($"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer");
                }
                _baseLrs = groups.Select(g => g.initial_lr!.Value).ToList();
                this.last_epoch = last_epoch;
                InitialStep();
            }

            /// <summary>Resets the step count and takes a step (creation, and SequentialLR's first scheduler).</summary>
            internal void InitialStep()
            {
                StepCount = 0;
                step();
            }

            /// <summary>Advances the schedule by one and sets the groups' learning rates.</summary>
            public virtual void step() => Step(null);

            /// <summary>Jumps to <paramref name="epoch"/> using the closed form where there is one (PyTorch's deprecated step(epoch)).</summary>
            internal void StepTo(int epoch) => Step(epoch);

            void Step(int? epoch)
            {
                StepCount++;
                IReadOnlyList<double> values;
                if (epoch is null)
                {
                    last_epoch++;
                    values = get_lr();
                }
                else
                {
                    last_epoch = epoch.Value;
                    values = get_closed_form_lr() ?? get_lr();
                }
                var groups = optimizer.param_groups;
                for (int i = 0; i < Math.Min(groups.Count, values.Count); i++) groups[i].lr = values[i];
                _lastLr = groups.Select(g => g.lr).ToList();
            }

            /// <summary>The groups' current learning rates (the input of the chained forms).</summary>
            private protected IReadOnlyList<double> GroupLrs() => optimizer.param_groups.Select(g => g.lr).ToArray();

            private protected void SetLastLr(IReadOnlyList<double> lrs) => _lastLr = lrs.ToList();

            // ---- state dict --------------------------------------------------------------------------------

            /// <summary>
            /// The scheduler's attributes as PyTorch's state_dict lists them (its own settings first, then
            /// base_lrs, last_epoch, verbose, _step_count, _get_lr_called_within_step, _last_lr), as a
            /// Dictionary of long / double / bool / List values.
            /// </summary>
            public virtual Dictionary<string, object?> state_dict()
            {
                var d = new Dictionary<string, object?>();
                WriteSettings(d);
                d["base_lrs"] = _baseLrs.Cast<object?>().ToList();
                d["last_epoch"] = (long)last_epoch;
                d["verbose"] = false;
                d["_step_count"] = (long)StepCount;
                d["_get_lr_called_within_step"] = false;
                d["_last_lr"] = _lastLr.Cast<object?>().ToList();
                return d;
            }

            /// <summary>Restores the entries a state dict holds (others keep their values), as PyTorch's __dict__.update.</summary>
            public virtual void load_state_dict(IReadOnlyDictionary<string, object?> state_dict)
            {
                ArgumentNullException.ThrowIfNull(state_dict);
                // Parse everything before assigning anything.
                List<double>? baseLrs = null, lastLr = null;
                int? lastEpoch = null, stepCount = null;
                if (state_dict.TryGetValue("base_lrs", out var b)) baseLrs = StateValue.ToDoubles(b, "base_lrs");
                if (state_dict.TryGetValue("_last_lr", out var l)) lastLr = StateValue.ToDoubles(l, "_last_lr");
                if (state_dict.TryGetValue("last_epoch", out var e)) lastEpoch = checked((int)StateValue.ToLong(e, "last_epoch"));
                if (state_dict.TryGetValue("_step_count", out var c)) stepCount = checked((int)StateValue.ToLong(c, "_step_count"));
                var apply = ReadSettings(state_dict);
                apply();
                if (baseLrs is not null) _baseLrs = baseLrs;
                if (lastLr is not null) _lastLr = lastLr;
                if (lastEpoch is not null) last_epoch = lastEpoch.Value;
                if (stepCount is not null) StepCount = stepCount.Value;
            }

            /// <summary>Loads a state dict whose keys come as objects (a checkpoint reader's dictionaries).</summary>
            public void load_state_dict(IEnumerable<KeyValuePair<object?, object?>> state_dict)
                => load_state_dict(StateValue.StringKeyed(state_dict, "scheduler state dict"));

            /// <summary>Writes the subclass's own settings (step_size, gamma ...) in PyTorch's order.</summary>
            private protected abstract void WriteSettings(Dictionary<string, object?> d);

            /// <summary>Parses the subclass's settings present in a state dict; the returned action assigns them.</summary>
            private protected abstract Action ReadSettings(IReadOnlyDictionary<string, object?> d);

            /// <summary>Python's floor modulo (the result has the divisor's sign).</summary>
            private protected static int FloorMod(int a, int b) => ((a % b) + b) % b;

            /// <summary>Python's floor division.</summary>
            private protected static int FloorDiv(int a, int b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
        }
    }
}
