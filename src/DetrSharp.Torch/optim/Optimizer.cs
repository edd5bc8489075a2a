using System.Buffers;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

/// <summary>torch.optim: optimizers (SGD, Adam, AdamW) and learning-rate schedulers (<see cref="lr_scheduler"/>).</summary>
public static partial class optim
{
    /// <summary>
    /// Base of the optimizers, as torch.optim.Optimizer: parameter groups with per-group options, per-parameter
    /// state, zero_grad, and state_dict / load_state_dict in PyTorch's layout. The optimizer owns its state
    /// tensors (dispose it to free them); the parameters stay their module's.
    /// </summary>
    public abstract class Optimizer : IDisposable
    {
        readonly List<ParamGroup> _groups = new();
        readonly OrderedDictionary<Tensor, ParamState> _state = new(ReferenceEqualityComparer.Instance);
        bool _disposed;

        private protected Optimizer() { }

        /// <summary>The parameter groups; a group's options (lr above all) may be changed between steps.</summary>
        public IReadOnlyList<ParamGroup> param_groups => _groups;

        /// <summary>Option names in the order PyTorch's param_groups list them, including its fixed flags (foreach ...).</summary>
        private protected abstract string[] StateDictOptionOrder { get; }

        /// <summary>PyTorch's option flags this library does not vary, with the values it writes: foreach None, capturable False ...</summary>
        private protected abstract IReadOnlyDictionary<string, object?> FixedOptions { get; }

        /// <summary>Fills the group's unset options from the defaults, rejects options foreign to this optimizer, validates values.</summary>
        private protected abstract void ApplyDefaults(ParamGroup group);

        /// <summary>Rebuilds one parameter's state from its state dict entry.</summary>
        private protected abstract ParamState LoadState(Tensor param, ParamGroup group, IReadOnlyDictionary<string, object?> entry, string where);

        /// <summary>Performs one optimization step (no gradient recorded), skipping parameters without a gradient.</summary>
        public abstract void step();

        private protected void AddGroups(IEnumerable<ParamGroup> groups)
        {
            ArgumentNullException.ThrowIfNull(groups);
            int count = 0;
            foreach (var g in groups) { add_param_group(g); count++; }
            if (count == 0) throw new ArgumentException("optimizer got an empty parameter list");
        }

        private protected static IEnumerable<ParamGroup> SingleGroup(IEnumerable<Tensor> parameters)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            var list = parameters.ToArray();
            if (list.Length == 0) throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
            return [new ParamGroup(list)];
        }

        /// <summary>Adds a group (e.g. layers unfrozen during fine-tuning); its unset options take the defaults.</summary>
        public void add_param_group(ParamGroup group)
        {
            ArgumentNullException.ThrowIfNull(group);
            ThrowIfDisposed();
            for (int i = 0; i < group.Params.Length; i++)
            {
                var p = group.Params[i];
                if (!p.is_leaf) throw new ArgumentException($"can't optimize a non-leaf Tensor (parameter {i} of the group)");
            }
            if (group.Params.Distinct(ReferenceEqualityComparer.Instance).Count() != group.Params.Length)
                throw new ArgumentException("the parameter group lists a parameter more than once");
            var existing = new HashSet<object>(_groups.SelectMany(g => g.Params), ReferenceEqualityComparer.Instance);
            if (group.Params.Any(existing.Contains)) throw new ArgumentException("some parameters appear in more than one parameter group");
            foreach (var name in ParamGroup.OptionNames)
                if (group.IsSet(name) && Array.IndexOf(StateDictOptionOrder, name) < 0)
                    throw new ArgumentException($"{GetType().Name} has no option '{name}' (set in a parameter group)");
            ApplyDefaults(group);
            _groups.Add(group);
        }

        /// <summary>Clears the gradients of all optimized parameters: to none (the default, as PyTorch 2), or to zeros.</summary>
        public void zero_grad(bool set_to_none = true)
        {
            ThrowIfDisposed();
            foreach (var g in _groups)
                foreach (var p in g.Params)
                {
                    if (set_to_none) p.grad = null;
                    else
                    {
                        using var grad = p.grad;
                        if (grad is null) continue;
                        if (!grad.is_leaf)
                        {
                            // A gradient with history (backward with create_graph): replaced by detached zeros.
                            using var zeros = torch.zeros_like(grad);
                            p.grad = zeros;
                            continue;
                        }
                        grad.requires_grad = false;
                        grad.zero_();
                    }
                }
        }

        // ---- per-parameter state ------------------------------------------------------------------------------

        /// <summary>The parameter's state, created by <paramref name="create"/> on its first step.</summary>
        internal TState GetState<TState>(Tensor param, Func<Tensor, TState> create) where TState : ParamState
        {
            if (_state.TryGetValue(param, out var s)) return (TState)s;
            var created = create(param);
            _state.Add(param, created);
            return created;
        }

        /// <summary>
        /// The group's parameters that have a gradient (one native call for the whole group), written into
        /// <paramref name="withGrad"/>; returns how many.
        /// </summary>
        internal static unsafe int ParamsWithGrad(ParamGroup group, Tensor[] withGrad)
        {
            var ps = group.Params;
            int n = ps.Length;
            var handles = ArrayPool<IntPtr>.Shared.Rent(Math.Max(n, 1));
            var flags = ArrayPool<byte>.Shared.Rent(Math.Max(n, 1));
            try
            {
                for (int i = 0; i < n; i++) handles[i] = ps[i].Handle;
                fixed (IntPtr* h = handles)
                fixed (byte* f = flags)
                    TorchException.Check(NativeMethods.dsh_optim_has_grad(h, n, f));
                int m = 0;
                for (int i = 0; i < n; i++)
                    if (flags[i] != 0) withGrad[m++] = ps[i];
                return m;
            }
            finally
            {
                ArrayPool<IntPtr>.Shared.Return(handles);
                ArrayPool<byte>.Shared.Return(flags);
            }
        }

        // ---- state dict -------------------------------------------------------------------------------------------

        /// <summary>
        /// The optimizer's state in PyTorch's layout, ready for a torch.save serializer:
        /// <c>{"state": {param index: {...}}, "param_groups": [{option: value, ..., "params": [indices]}]}</c>.
        /// Parameter indices count through the groups in order. Dictionaries are <see cref="Dictionary{TKey,TValue}"/>
        /// (PyTorch's are plain dicts) filled in PyTorch's key order; lists are <see cref="List{T}"/> of object;
        /// betas is an <c>object?[]</c> (a tuple); 'step' is a 0-d float32 tensor. State tensors are new handles
        /// sharing storage with the optimizer's state (later steps change them): dispose them, or let a scope do it.
        /// </summary>
        public Dictionary<string, object?> state_dict()
        {
            ThrowIfDisposed();
            var index = new Dictionary<Tensor, long>(ReferenceEqualityComparer.Instance);
            var groups = new List<object?>();
            foreach (var g in _groups)
            {
                var packed = new Dictionary<string, object?>();
                var order = StateDictOptionOrder;
                foreach (var name in order.Where(g.Specified.Contains)) packed[name] = g.GetOption(name);
                foreach (var name in order.Where(n => !g.Specified.Contains(n)))
                    packed[name] = FixedOptions.TryGetValue(name, out var fixedValue) ? fixedValue : g.GetOption(name);
                if (g.initial_lr is double initial) packed["initial_lr"] = initial;
                var ids = new List<object?>();
                foreach (var p in g.Params)
                {
                    if (!index.TryGetValue(p, out var id)) index[p] = id = index.Count;
                    ids.Add(id);
                }
                packed["params"] = ids;
                groups.Add(packed);
            }
            var state = new Dictionary<long, object?>();
            foreach (var (p, s) in _state)
                if (index.TryGetValue(p, out var id)) state[id] = s.ToStateDict();
            return new Dictionary<string, object?> { ["state"] = state, ["param_groups"] = groups };
        }

        /// <summary>
        /// Restores a state dict from <see cref="state_dict"/> or a PyTorch checkpoint: every group's options
        /// (lr, betas, initial_lr ...) and every parameter's state, copied (state tensors cast to the parameter's
        /// dtype and device). Groups and their sizes must match this optimizer's; nothing changes when they don't.
        /// </summary>
        public void load_state_dict(IReadOnlyDictionary<string, object?> state_dict)
        {
            ArgumentNullException.ThrowIfNull(state_dict);
            ThrowIfDisposed();
            var savedGroups = StateValue.ToList(StateValue.Require(state_dict, "param_groups", "optimizer state dict"), "param_groups")
                .Select((g, i) => StateValue.StringKeyed(g, $"param_groups[{i}]")).ToList();
            if (savedGroups.Count != _groups.Count)
                throw new ArgumentException($"loaded state dict has a different number of parameter groups ({savedGroups.Count}, the optimizer has {_groups.Count})");
            var idMap = new Dictionary<long, (Tensor param, int group)>();
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                var savedIds = StateValue.ToList(StateValue.Require(savedGroups[gi], "params", $"param_groups[{gi}]"), $"param_groups[{gi}].params");
                var ps = _groups[gi].Params;
                if (savedIds.Count != ps.Length)
                    throw new ArgumentException(
                        $"loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group {gi}: {savedIds.Count} saved, {ps.Length} in the optimizer)");
                for (int k = 0; k < ps.Length; k++)
                    idMap[StateValue.ToLong(savedIds[k], $"param_groups[{gi}].params[{k}]")] = (ps[k], gi);
            }

            // Stage and validate everything first, so a bad entry leaves the optimizer as it was.
            var staged = new List<(ParamGroup options, double? initial)>();
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                var options = _groups[gi].CloneOptions();
                foreach (var (key, value) in savedGroups[gi])
                    if (Array.IndexOf(ParamGroup.OptionNames, key) >= 0 && Array.IndexOf(StateDictOptionOrder, key) >= 0)
                        options.SetOption(key, value, $"param_groups[{gi}].{key}");
                ApplyDefaults(options);
                double? initial = savedGroups[gi].TryGetValue("initial_lr", out var il) && il is not null
                    ? StateValue.ToDouble(il, $"param_groups[{gi}].initial_lr") : null;
                staged.Add((options, initial));
            }

            var loaded = new List<(Tensor param, ParamState state)>();
            try
            {
                using (torch.no_grad())
                {
                    var savedState = StateValue.Require(state_dict, "state", "optimizer state dict");
                    foreach (var (key, value) in StateValue.Entries(savedState, "state"))
                    {
                        var where = $"state[{key}]";
                        if (!idMap.TryGetValue(StateValue.ToLong(key, $"a key of 'state' ({key})"), out var target)) continue;
                        var entry = StateValue.StringKeyed(value, where);
                        loaded.Add((target.param, LoadState(target.param, staged[target.group].options, entry, where)));
                    }
                }
            }
            catch
            {
                foreach (var (_, s) in loaded) s.Dispose();
                throw;
            }

            for (int gi = 0; gi < _groups.Count; gi++)
            {
                _groups[gi].CopyOptionsFrom(staged[gi].options);
                _groups[gi].initial_lr = staged[gi].initial;
            }
            foreach (var (_, s) in _state) s.Dispose();
            _state.Clear();
            foreach (var (p, s) in loaded) _state[p] = s;
        }

        /// <summary>Loads a state dict whose keys come as objects (a checkpoint reader's dictionaries).</summary>
        public void load_state_dict(IEnumerable<KeyValuePair<object?, object?>> state_dict)
            => load_state_dict(StateValue.StringKeyed(state_dict, "optimizer state dict"));

        // ---- lifetime -------------------------------------------------------------------------------------------------

        internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        /// <summary>Frees the state tensors (exp_avg, momentum buffers ...); the parameters are untouched.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (_, s) in _state) s.Dispose();
            _state.Clear();
        }
    }
}
