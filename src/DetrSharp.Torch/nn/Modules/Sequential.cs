using System.Collections;

namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>An empty Sequential (its forward returns the input); add modules with append.</summary>
        public static Modules.Sequential Sequential() => new();

        /// <summary>Modules applied in order, named "0", "1", ..., as torch.nn.Sequential(*modules).</summary>
        public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);

        /// <summary>Modules applied in order under the given names, as torch.nn.Sequential(OrderedDict(...)).</summary>
        public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Modules applied in order, each taking the previous one's output, as torch.nn.Sequential; children are named
    /// "0", "1", ... unless named explicitly, so parameters read "0.weight", "1.bias". Each intermediate output is
    /// disposed as soon as the next module has consumed it; the input stays the caller's.
    /// </summary>
    public sealed class Sequential : nn.Module<Tensor, Tensor>, IReadOnlyList<nn.Module<Tensor, Tensor>>
    {
        readonly List<nn.Module<Tensor, Tensor>> _layers = new();
        readonly HashSet<string> _names = new();

        public Sequential() : base(nameof(Sequential)) { }

        public Sequential(params nn.Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
        {
            foreach (var m in modules) append(m);
        }

        public Sequential(params (string name, nn.Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
        {
            foreach (var (name, m) in modules) append(name, m);
        }

        /// <summary>Adds a module at the end, named by its position.</summary>
        public Sequential append(nn.Module<Tensor, Tensor> module) => append(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

        /// <summary>Adds a module at the end under a name (unique within this Sequential, no dots).</summary>
        public Sequential append(string name, nn.Module<Tensor, Tensor> module)
        {
            ArgumentNullException.ThrowIfNull(module);
            if (!_names.Add(name)) throw new ArgumentException($"Sequential: a module is already named '{name}'", nameof(name));
            register_module(name, module);
            _layers.Add(module);
            return this;
        }

        public int Count => _layers.Count;
        public nn.Module<Tensor, Tensor> this[int index] => _layers[index];
        public IEnumerator<nn.Module<Tensor, Tensor>> GetEnumerator() => _layers.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override Tensor forward(Tensor input)
        {
            var x = input;
            foreach (var layer in _layers)
            {
                var y = layer.call(x);
                if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
                x = y;
            }
            // Always hand the caller a tensor it owns, even when no module ran (or one returned its input).
            return ReferenceEquals(x, input) ? input.alias() : x;
        }
    }
}
