using System.Collections;

namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>A list of submodules named "0", "1", ..., as torch.nn.ModuleList.</summary>
        public static Modules.ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Submodules held in a list and registered under their positions "0", "1", ..., as torch.nn.ModuleList
    /// (so "layers.2.bias"). It has no forward: the owner iterates it.
    /// </summary>
    public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T> where T : nn.Module
    {
        readonly List<T> _items = new();

        public ModuleList(params T[] modules) : base(nameof(ModuleList<T>))
        {
            foreach (var m in modules) Add(m);
        }

        public ModuleList(IEnumerable<T> modules) : this(modules.ToArray()) { }

        /// <summary>Adds a module at the end, registered under its position.</summary>
        public void Add(T module)
        {
            ArgumentNullException.ThrowIfNull(module);
            register_module(Name(_items.Count), module);
            _items.Add(module);
        }

        /// <summary>Adds a module at the end (PyTorch's append).</summary>
        public ModuleList<T> append(T module)
        {
            Add(module);
            return this;
        }

        /// <summary>Adds modules at the end (PyTorch's extend).</summary>
        public ModuleList<T> extend(IEnumerable<T> modules)
        {
            foreach (var m in modules) Add(m);
            return this;
        }

        public int Count => _items.Count;

        /// <summary>The module at a position; setting replaces it (the old one is not disposed).</summary>
        public T this[int index]
        {
            get => _items[index];
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                if ((uint)index >= (uint)_items.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"ModuleList has {_items.Count} modules");
                register_module(Name(index), value);
                _items[index] = value;
            }
        }

        public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        static string Name(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
