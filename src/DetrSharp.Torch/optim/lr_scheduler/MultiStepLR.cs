namespace DetrSharp.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Multiplies each group's learning rate by gamma at each milestone (by gamma^k for a milestone listed k
        /// times), as torch.optim.lr_scheduler.MultiStepLR: lr = base_lr * gamma^(milestones passed).
        /// </summary>
        public sealed class MultiStepLR : LRScheduler
        {
            // milestone -> how many times it was listed (PyTorch's Counter), in first-listed order
            Dictionary<int, int> _milestones;
            double _gamma;

            public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) : base(optimizer)
            {
                ArgumentNullException.ThrowIfNull(milestones);
                _milestones = Count(milestones);
                _gamma = gamma;
                Initialize(last_epoch);
            }

            /// <summary>The milestones, sorted, each as often as it was listed.</summary>
            public IReadOnlyList<int> milestones => Sorted();
            public double gamma => _gamma;

            static Dictionary<int, int> Count(IEnumerable<int> milestones)
            {
                var counts = new Dictionary<int, int>();
                foreach (var m in milestones) counts[m] = counts.GetValueOrDefault(m) + 1;
                return counts;
            }

            List<int> Sorted()
            {
                var all = _milestones.SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).ToList();
                all.Sort();
                return all;
            }

            protected override IReadOnlyList<double> get_lr()
            {
                var lrs = GroupLrs();
                if (!_milestones.TryGetValue(last_epoch, out int k)) return lrs;
                return lrs.Select(lr => lr * Math.Pow(_gamma, k)).ToArray();
            }

            protected override IReadOnlyList<double> get_closed_form_lr()
            {
                // bisect_right: how many milestones are <= last_epoch
                int passed = Sorted().Count(m => m <= last_epoch);
                return base_lrs.Select(b => b * Math.Pow(_gamma, passed)).ToArray();
            }

            private protected override void WriteSettings(Dictionary<string, object?> d)
            {
                // PyTorch pickles a collections.Counter; a plain {milestone: count} dict reads back the same way.
                d["milestones"] = _milestones.ToDictionary(kv => (long)kv.Key, kv => (object?)(long)kv.Value);
                d["gamma"] = _gamma;
            }

            private protected override Action ReadSettings(IReadOnlyDictionary<string, object?> d)
            {
                var milestones = _milestones;
                if (d.TryGetValue("milestones", out var m))
                {
                    if (m is System.Collections.IDictionary || m is IEnumerable<KeyValuePair<object?, object?>>)
                    {
                        milestones = new Dictionary<int, int>();
                        foreach (var (key, count) in StateValue.Entries(m, "milestones"))
                            milestones[checked((int)StateValue.ToLong(key, "a milestone"))] = checked((int)StateValue.ToLong(count, $"milestones[{key}]"));
                    }
                    else
                    {
                        milestones = Count(StateValue.ToList(m, "milestones").Select((v, i) => checked((int)StateValue.ToLong(v, $"milestones[{i}]"))));
                    }
                }
                double gamma = d.TryGetValue("gamma", out var g) ? StateValue.ToDouble(g, "gamma") : _gamma;
                return () => { _milestones = milestones; _gamma = gamma; };
            }
        }
    }
}
