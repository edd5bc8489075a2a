using DetrSharp.Torch;
using DetrSharp.Torch.Serialization;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// Walks a pickled torch.nn.Module (an inert <see cref="PickleObject"/> whose state is the module's
/// <c>__dict__</c>) the way Module.state_dict does: the module's parameters, then its persistent buffers,
/// then each child under "name.", skipping None entries.
/// </summary>
internal static class ModuleTree
{
    const int MaxDepth = 64;

    public static IEnumerable<(string Name, PickleObject? Module)> Children(PickleObject module)
    {
        if (module.GetAttribute("_modules") is not PickleDict children) yield break;
        foreach (var kv in children)
            yield return (kv.Key as string ?? PickleFormat.Repr(kv.Key), kv.Value as PickleObject);
    }

    public static void Collect(PickleObject module, string prefix, OrderedDictionary<string, Tensor> into, string source, int depth = 0)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"{source}: modules nest deeper than {MaxDepth} levels at '{prefix}'");
        if (module.GetAttribute("_parameters") is not PickleDict parameters || module.GetAttribute("_buffers") is not PickleDict buffers)
            throw new InvalidDataException($"{source}: '{(prefix.Length == 0 ? "<root>" : prefix.TrimEnd('.'))}' is a {module.FullName} without " +
                "_parameters/_buffers: not a pickled torch.nn.Module");
        var nonPersistent = module.GetAttribute("_non_persistent_buffers_set") is List<object?> set
            ? set.OfType<string>().ToHashSet() : new HashSet<string>();
        foreach (var kv in parameters) Add(kv.Key, kv.Value, prefix, into, source);
        foreach (var kv in buffers)
            if (kv.Key is string name && !nonPersistent.Contains(name)) Add(name, kv.Value, prefix, into, source);
        foreach (var (name, child) in Children(module))
            if (child != null) Collect(child, prefix + name + ".", into, source, depth + 1);
    }

    static void Add(object? key, object? value, string prefix, OrderedDictionary<string, Tensor> into, string source)
    {
        if (value is null) return;
        if (key is not string name) throw new InvalidDataException($"{source}: a parameter of '{prefix}' has a non-string name {PickleFormat.Repr(key)}");
        if (value is not Tensor t) throw new InvalidDataException($"{source}: '{prefix}{name}' is a {value.GetType().Name}, not a tensor");
        // ultralytics loads with .float(): half-precision weights become float32; integer buffers stay.
        into[prefix + name] = t.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? t.to(ScalarType.Float32) : t.detach();
    }
}
