using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Submodules by name in insertion order, as torch.nn.ModuleDict.</summary>
        public static Modules.ModuleDict<T> ModuleDict<T>(params (string name, T module)[] modules) where T : Module => new(modules);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Submodules registered under their keys, kept in insertion order, as torch.nn.ModuleDict (so "heads.box.weight").
    /// Keys are non-empty and contain no '.'. It has no forward: the owner looks modules up.
    /// </summary>
    public sealed class ModuleDict<T> : nn.Module, IReadOnlyDictionary<string, T> where T : nn.Module
    {
        readonly List<string> _keys = new();
        readonly Dictionary<string, T> _items = new();

        public ModuleDict(params (string name, T module)[] modules) : base(nameof(ModuleDict<T>))
        {
            foreach (var (name, m) in modules) Add(name, m);
        }

        /// <summary>Adds a module under a new key.</summary>
        public void Add(string key, T module)
        {
            ArgumentNullException.ThrowIfNull(module);
            if (_items.ContainsKey(key)) throw new ArgumentException($"ModuleDict: key '{key}' already exists", nameof(key));
            register_module(key, module);
            _keys.Add(key);
            _items[key] = module;
        }

        /// <summary>The module under a key; setting adds it, or replaces the old one in place (not disposed).</summary>
        public T this[string key]
        {
            get => _items.TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"ModuleDict has no module '{key}'; keys: {string.Join(", ", _keys)}");
            set
            {
                if (!_items.ContainsKey(key)) { Add(key, value); return; }
                ArgumentNullException.ThrowIfNull(value);
                register_module(key, value);
                _items[key] = value;
            }
        }

        public int Count => _keys.Count;
        public IEnumerable<string> Keys => _keys;
        public IEnumerable<T> Values => _keys.Select(k => _items[k]);
        public bool ContainsKey(string key) => _items.ContainsKey(key);
        public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value) => _items.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _keys.Select(k => new KeyValuePair<string, T>(k, _items[k])).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
