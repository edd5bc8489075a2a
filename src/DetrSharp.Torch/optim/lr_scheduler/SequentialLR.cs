namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Runs schedulers one after another, switching at the milestones, as torch.optim.lr_scheduler.SequentialLR:
        /// the usual warm-up is <c>new SequentialLR(opt, [new LinearLR(opt, 0.001, 1, w), new CosineAnnealingLR(opt, T)], [w])</c>.
        /// At a milestone the next scheduler restarts from step 0 by its closed form. Create the inner schedulers
        /// just before this one: it resets the groups' lr to 'initial_lr' and re-runs the first scheduler's step 0.
        /// </summary>
        public sealed class SequentialLR : LRScheduler
        {
            readonly LRScheduler[] _schedulers;
            int[] _milestones;

            public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int last_epoch = -1)
                : base(optimizer)
            {
                ArgumentNullException.ThrowIfNull(schedulers);
                ArgumentNullException.ThrowIfNull(milestones);
                if (schedulers.Count == 0) throw new ArgumentException("SequentialLR needs at least one scheduler", nameof(schedulers));
                for (int i = 0; i < schedulers.Count; i++)
                {
                    if (schedulers[i] is null) throw new ArgumentException($"scheduler {i} is null", nameof(schedulers));
                    if (!ReferenceEquals(schedulers[i].optimizer, optimizer))
                        throw new ArgumentException(
                            $"Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index {i} to be different than the optimizer passed in.");
                }
                if (milestones.Count != schedulers.Count - 1)
                    throw new ArgumentException(
                        $"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}");
                for (int i = 1; i < milestones.Count; i++)
                    if (milestones[i] < milestones[i - 1]) throw new ArgumentException("milestones must be in increasing order", nameof(milestones));
                _schedulers = schedulers.ToArray();
                _milestones = milestones.ToArray();
                this.last_epoch = last_epoch + 1;

                var groups = optimizer.param_groups;
                for (int i = 0; i < groups.Count; i++)
                    groups[i].lr = groups[i].initial_lr
                        ?? throw new InvalidOperationException($"param 'initial_lr' is not specified in param_groups[{i}]: create the inner schedulers first");
                // Undo the step each inner scheduler took on creation, then redo the first one's.
                foreach (var s in _schedulers) s.last_epoch -= 1;
                _schedulers[0].InitialStep();
                SetLastLr(_schedulers[0].get_last_lr());
            }

            /// <summary>The inner schedulers, in order.</summary>
            public IReadOnlyList<LRScheduler> schedulers => _schedulers;
            public IReadOnlyList<int> milestones => _milestones;

            public override void step()
            {
                last_epoch++;
                int idx = BisectRight(_milestones, last_epoch);
                var scheduler = _schedulers[idx];
                if (idx > 0 && _milestones[idx - 1] == last_epoch) scheduler.StepTo(0);
                else scheduler.step();
                SetLastLr(scheduler.get_last_lr());
            }

            static int BisectRight(int[] sorted, int value)
            {
                int n = 0;
                while (n < sorted.Length && sorted[n] <= value) n++;
                return n;
            }

            /// <summary>Not used: SequentialLR steps its inner schedulers.</summary>
            protected override IReadOnlyList<double> get_lr() => get_last_lr();

            /// <summary>_milestones, last_epoch, _last_lr, then _schedulers: each inner scheduler's state dict.</summary>
            public override Dictionary<string, object?> state_dict() => new()
            {
                ["_milestones"] = _milestones.Select(m => (object?)(long)m).ToList(),
                ["last_epoch"] = (long)last_epoch,
                ["_last_lr"] = get_last_lr().Cast<object?>().ToList(),
                ["_schedulers"] = _schedulers.Select(s => (object?)s.state_dict()).ToList(),
            };

            public override void load_state_dict(IReadOnlyDictionary<string, object?> state_dict)
            {
                ArgumentNullException.ThrowIfNull(state_dict);
                int[]? milestones = null;
                int? lastEpoch = null;
                List<double>? lastLr = null;
                IReadOnlyList<object?>? inner = null;
                if (state_dict.TryGetValue("_milestones", out var m))
                    milestones = StateValue.ToList(m, "_milestones").Select((v, i) => checked((int)StateValue.ToLong(v, $"_milestones[{i}]"))).ToArray();
                if (state_dict.TryGetValue("last_epoch", out var e)) lastEpoch = checked((int)StateValue.ToLong(e, "last_epoch"));
                if (state_dict.TryGetValue("_last_lr", out var l)) lastLr = StateValue.ToDoubles(l, "_last_lr");
                if (state_dict.TryGetValue("_schedulers", out var s))
                {
                    inner = StateValue.ToList(s, "_schedulers");
                    if (inner.Count != _schedulers.Length)
                        throw new ArgumentException($"the state dict holds {inner.Count} schedulers, this SequentialLR has {_schedulers.Length}");
                }
                if (milestones is not null && milestones.Length != _milestones.Length)
                    throw new ArgumentException($"the state dict holds {milestones.Length} milestones, this SequentialLR has {_milestones.Length}");
                if (milestones is not null) _milestones = milestones;
                if (lastEpoch is not null) last_epoch = lastEpoch.Value;
                if (lastLr is not null) SetLastLr(lastLr);
                if (inner is not null)
                    for (int i = 0; i < inner.Count; i++)
                        _schedulers[i].load_state_dict(StateValue.StringKeyed(inner[i], $"_schedulers[{i}]"));
            }

            private protected override void WriteSettings(Dictionary<string, object?> d) { }
            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d) => () => { };
        }
    }
}
