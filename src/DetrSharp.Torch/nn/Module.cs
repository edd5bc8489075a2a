namespace DetrSharp.Torch;

public static partial class nn
{
    /// <summary>
    /// Base of every layer, as torch.nn.Module: registered parameters, buffers and submodules (in
    /// registration order), dotted names, state_dict / load_state_dict, train / eval, to(device, dtype),
    /// zero_grad. Parameters and buffers belong to the module (never to a dispose scope) and are freed
    /// by <see cref="Dispose()"/>.
    /// </summary>
    public abstract class Module : IDisposable
    {
        readonly List<(string name, Tensor? value)> _parameters = new();
        readonly List<(string name, Tensor? value, bool persistent)> _buffers = new();
        readonly List<(string name, Module module)> _modules = new();
        bool _disposed;

        protected Module(string name) => GetName = name;

        /// <summary>The module's type name, as TorchSharp's GetName().</summary>
        public string GetName { get; }

        /// <summary>True in training mode (the default), false after eval().</summary>
        public bool training { get; private set; } = true;

        // ---- registration ----------------------------------------------------------------------------

        /// <summary>Registers (or replaces) a parameter; null registers an absent one (e.g. no bias).</summary>
        public Tensor? register_parameter(string name, Tensor? value, bool requires_grad = true)
        {
            CheckName(name);
            if (value != null)
            {
                value.DetachFromDisposeScope();
                if (value.is_floating_point()) value.requires_grad = requires_grad;
            }
            Replace(_parameters, name, value, (n, v) => (n, v));
            return value;
        }

        /// <summary>Registers (or replaces) a buffer; non-persistent buffers stay out of state_dict.</summary>
        public Tensor? register_buffer(string name, Tensor? value, bool persistent = true)
        {
            CheckName(name);
            value?.DetachFromDisposeScope();
            int i = _buffers.FindIndex(b => b.name == name);
            if (i >= 0)
            {
                if (!ReferenceEquals(_buffers[i].value, value)) _buffers[i].value?.Dispose();
                _buffers[i] = (name, value, persistent);
            }
            else _buffers.Add((name, value, persistent));
            return value;
        }

        public T register_module<T>(string name, T module) where T : Module
        {
            CheckName(name);
            int i = _modules.FindIndex(m => m.name == name);
            if (i >= 0) _modules[i] = (name, module);
            else _modules.Add((name, module));
            return module;
        }

        static void CheckName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('.'))
                throw new ArgumentException($"invalid member name '{name}': must be non-empty and contain no '.'");
        }

        static void Replace(List<(string, Tensor?)> list, string name, Tensor? value, Func<string, Tensor?, (string, Tensor?)> make)
        {
            int i = list.FindIndex(p => p.Item1 == name);
            if (i >= 0)
            {
                if (!ReferenceEquals(list[i].Item2, value)) list[i].Item2?.Dispose();
                list[i] = make(name, value);
            }
            else list.Add(make(name, value));
        }

        /// <summary>The parameter registered under name in this module (not recursive), or null.</summary>
        public Tensor? get_parameter(string name) => _parameters.FirstOrDefault(p => p.name == name).value;
        public Tensor? get_buffer(string name) => _buffers.FirstOrDefault(p => p.name == name).value;
        public Module? get_submodule(string name)
        {
            Module? m = this;
            foreach (var part in name.Split('.'))
            {
                m = m?._modules.FirstOrDefault(x => x.name == part).module;
                if (m == null) return null;
            }
            return m;
        }

        // ---- enumeration -------------------------------------------------------------------------------

        public IEnumerable<(string name, Module module)> named_children() => _modules;
        public IEnumerable<Module> children() => _modules.Select(m => m.module);

        /// <summary>This module ("") and every submodule, depth first, with dotted names.</summary>
        public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
        {
            yield return (prefix, this);
            foreach (var (n, m) in _modules)
                foreach (var x in m.named_modules(Join(prefix, n))) yield return x;
        }

        public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

        public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
        {
            // A tensor registered twice (tied weights) is listed once, as in PyTorch.
            var seen = new HashSet<IntPtr>();
            foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
                foreach (var (n, p) in m._parameters)
                    if (p != null && seen.Add(p.Handle)) yield return (Join(prefix, n), p);
        }

        public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

        public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
        {
            foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
                foreach (var (n, b, _) in m._buffers)
                    if (b != null) yield return (Join(prefix, n), b);
        }

        public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

        static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

        // ---- state dict ---------------------------------------------------------------------------------

        /// <summary>
        /// Parameters and persistent buffers by dotted name, in registration order, as detached aliases
        /// sharing storage with the module (dispose the dictionary's tensors when done, or let a scope do it).
        /// </summary>
        public OrderedDictionary<string, Tensor> state_dict()
        {
            var sd = new OrderedDictionary<string, Tensor>();
            foreach (var (prefix, m) in named_modules())
            {
                foreach (var (n, p) in m._parameters)
                    if (p != null) sd[Join(prefix, n)] = p.detach();
                foreach (var (n, b, persistent) in m._buffers)
                    if (b != null && persistent) sd[Join(prefix, n)] = b.detach();
            }
            return sd;
        }

        /// <summary>The state dict's entries: name → (module, is parameter, slot name).</summary>
        Dictionary<string, (Module owner, string slot)> StateSlots()
        {
            var slots = new Dictionary<string, (Module, string)>();
            foreach (var (prefix, m) in named_modules())
            {
                foreach (var (n, p) in m._parameters)
                    if (p != null) slots[Join(prefix, n)] = (m, n);
                foreach (var (n, b, persistent) in m._buffers)
                    if (b != null && persistent) slots[Join(prefix, n)] = (m, n);
            }
            return slots;
        }

        /// <summary>
        /// Copies values into the module's parameters and buffers by name (no gradient is recorded).
        /// Strict: any missing key, unexpected key or shape mismatch raises, naming them all, and nothing
        /// is loaded. Non-strict: loads every key that fits and reports the rest.
        /// </summary>
        public LoadStateDictResult load_state_dict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
        {
            var slots = StateSlots();
            var missing = slots.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
            var unexpected = stateDict.Keys.Where(k => !slots.ContainsKey(k) && !IsIgnoredStateKey(k)).ToList();
            var mismatched = new List<string>();
            foreach (var (key, (owner, slot)) in slots)
            {
                if (!stateDict.TryGetValue(key, out var src)) continue;
                var dst = owner.get_parameter(slot) ?? owner.get_buffer(slot)!;
                var ds = dst.shape;
                var ss = src.shape;
                if (!ds.SequenceEqual(ss))
                    mismatched.Add($"{key}: checkpoint shape [{string.Join(", ", ss)}], model shape [{string.Join(", ", ds)}]");
            }
            var result = new LoadStateDictResult(missing, unexpected, mismatched);
            if (strict && !result.IsClean) throw new StateDictMismatchException(result);
            using (torch.no_grad())
            {
                foreach (var (key, (owner, slot)) in slots)
                {
                    if (!stateDict.TryGetValue(key, out var src)) continue;
                    var dst = owner.get_parameter(slot) ?? owner.get_buffer(slot)!;
                    if (!dst.shape.SequenceEqual(src.shape)) continue;
                    dst.copy_(src);
                }
            }
            return result;
        }

        public LoadStateDictResult load_state_dict(OrderedDictionary<string, Tensor> stateDict, bool strict = true)
            => load_state_dict((IReadOnlyDictionary<string, Tensor>)stateDict, strict);

        /// <summary>
        /// Hook consulted by load_state_dict, as an override of PyTorch's _load_from_state_dict that drops
        /// keys: true for a key local to this module (no dots, e.g. "num_batches_tracked") that a checkpoint
        /// may hold but this module ignores silently (neither loaded nor reported as unexpected).
        /// </summary>
        protected virtual bool IgnoresStateKey(string localKey) => false;

        /// <summary>True when the dotted key names a key its owning submodule ignores (see <see cref="IgnoresStateKey"/>).</summary>
        bool IsIgnoredStateKey(string key)
        {
            int dot = key.LastIndexOf('.');
            var owner = dot < 0 ? this : get_submodule(key[..dot]);
            return owner != null && owner.IgnoresStateKey(key[(dot + 1)..]);
        }

        // ---- modes, devices, gradients -----------------------------------------------------------------------

        public virtual Module train(bool mode = true)
        {
            training = mode;
            foreach (var (_, m) in _modules) m.train(mode);
            return this;
        }

        public Module eval() => train(false);

        /// <summary>Moves parameters and buffers to a device and/or converts floating-point ones to dtype.</summary>
        public Module to(Device? device = null, ScalarType? dtype = null) => Apply(device, dtype, null);

        /// <summary>Lays out every 4-D parameter and buffer (convolution weights) in <paramref name="memory_format"/>, as
        /// <c>module.to(memory_format=torch.channels_last)</c>; values, names and dtypes are unchanged.</summary>
        public Module to(MemoryFormat memory_format) => Apply(null, null, memory_format);

        Module Apply(Device? device, ScalarType? dtype, MemoryFormat? format)
        {
            foreach (var (_, m) in named_modules())
            {
                for (int i = 0; i < m._parameters.Count; i++)
                {
                    var (n, p) = m._parameters[i];
                    if (p == null) continue;
                    var moved = Convert(p, device, dtype, format);
                    if (moved == null) continue;
                    bool rg = p.requires_grad;
                    var leaf = moved.detach().DetachFromDisposeScope();
                    moved.Dispose();
                    leaf.requires_grad = rg;
                    p.Dispose();
                    m._parameters[i] = (n, leaf);
                }
                for (int i = 0; i < m._buffers.Count; i++)
                {
                    var (n, b, persistent) = m._buffers[i];
                    if (b == null) continue;
                    var moved = Convert(b, device, dtype, format);
                    if (moved == null) continue;
                    moved.DetachFromDisposeScope();
                    b.Dispose();
                    m._buffers[i] = (n, moved, persistent);
                }
            }
            return this;
        }

        public Module to(Device device) => to(device, null);
        public Module to(ScalarType dtype) => to(null, dtype);

        static Tensor? Convert(Tensor t, Device? device, ScalarType? dtype, MemoryFormat? format)
        {
            var dt = dtype.HasValue && t.is_floating_point() ? dtype.Value : t.dtype;
            var dev = device ?? t.device;
            bool relayout = format.HasValue && t.dim() == 4;
            if (dt == t.dtype && dev == t.device && !relayout) return null;
            if (!relayout) return t.to(dt, dev);
            using var moved = t.to(dt, dev);
            return moved.contiguous(format!.Value);
        }

        /// <summary>Clears the gradients of every parameter (to none by default, as PyTorch 2 does).</summary>
        public void zero_grad(bool set_to_none = true)
        {
            foreach (var p in parameters())
            {
                if (set_to_none) p.grad = null;
                else
                {
                    using var g = p.grad;
                    g?.zero_();
                }
            }
        }

        // ---- lifetime ------------------------------------------------------------------------------------

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (_, p) in _parameters) p?.Dispose();
            foreach (var (_, b, _) in _buffers) b?.Dispose();
            foreach (var (_, m) in _modules) m.Dispose();
        }

        public override string ToString() => GetName;
    }

    /// <summary>A module with a forward pass from TIn to TOut.</summary>
    public abstract class Module<TIn, TOut> : Module
    {
        protected Module(string name) : base(name) { }
        public abstract TOut forward(TIn input);
        public TOut call(TIn input) => forward(input);
    }

    /// <summary>A module taking two inputs.</summary>
    public abstract class Module<TIn1, TIn2, TOut> : Module
    {
        protected Module(string name) : base(name) { }
        public abstract TOut forward(TIn1 input1, TIn2 input2);
        public TOut call(TIn1 input1, TIn2 input2) => forward(input1, input2);
    }
}

/// <summary>What load_state_dict did not match: missing keys, unexpected keys, shape mismatches.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys, IReadOnlyList<string> shape_mismatches)
{
    public bool IsClean => missing_keys.Count == 0 && unexpected_keys.Count == 0 && shape_mismatches.Count == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        if (missing_keys.Count > 0) parts.Add("missing keys: " + string.Join(", ", missing_keys));
        if (unexpected_keys.Count > 0) parts.Add("unexpected keys: " + string.Join(", ", unexpected_keys));
        if (shape_mismatches.Count > 0) parts.Add("shape mismatches: " + string.Join("; ", shape_mismatches));
        return parts.Count == 0 ? "all keys matched" : string.Join("; ", parts);
    }
}

/// <summary>A strict load_state_dict that found missing or unexpected keys or shape mismatches.</summary>
public sealed class StateDictMismatchException(LoadStateDictResult result)
    : Exception("load_state_dict (strict): " + result)
{
    public LoadStateDictResult Result { get; } = result;
}
