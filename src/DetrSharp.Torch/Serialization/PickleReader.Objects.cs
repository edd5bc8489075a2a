using System.Numerics;
using System.Text;

namespace DetrSharp.Torch.Serialization;

// The objects a pickle builds: globals, persistent ids, REDUCE / NEWOBJ / BUILD (the hooks subclasses override), and
// the Python type names used in messages.
public partial class PickleReader
{
    /// <summary>The object a GLOBAL names; by default a <see cref="PickleGlobal"/>.</summary>
    protected virtual object? ResolveGlobal(string module, string name) => new PickleGlobal(module, name);

    /// <summary>The object a persistent id stands for; the base reader knows none.</summary>
    protected virtual object? PersistentLoad(object? pid)
        => throw Error($"persistent id {PickleFormat.Repr(pid)} but this reader resolves none");

    /// <summary>
    /// <c>callable(*args)</c> for REDUCE: builds the Python containers it knows (OrderedDict, set, bytes...)
    /// and a <see cref="PickleObject"/> for anything else.
    /// </summary>
    protected virtual object? Reduce(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g)
            return new PickleObject("", TypeName(callable), args);
        switch (g.FullName)
        {
            case "collections.OrderedDict":
            case "builtins.dict":
            {
                var d = new PickleDict(g.Name == "OrderedDict");
                if (args.Length > 0 && args[0] is not null)
                    foreach (var item in Iterate(args[0]))
                    {
                        if (item is not object?[] { Length: 2 } kv) throw Error($"{g.FullName} item is not a (key, value) pair");
                        d[kv[0]] = kv[1];
                    }
                return d;
            }
            case "builtins.set":
            case "builtins.frozenset":
                return new PickleSet(args.Length > 0 && args[0] is not null ? Iterate(args[0]) : [], g.Name == "frozenset");
            case "builtins.list":
                return new List<object?>(args.Length > 0 && args[0] is not null ? Iterate(args[0]) : []);
            case "builtins.tuple":
                return (args.Length > 0 && args[0] is not null ? Iterate(args[0]) : []).ToArray();
            case "builtins.bytearray":
            case "builtins.bytes":
                if (args.Length == 0) return Array.Empty<byte>();
                if (args[0] is byte[] b) return b;
                if (args[0] is string s && args.Length > 1 && args[1] is string enc) return Encode(s, enc);
                return new PickleObject(g.Module, g.Name, args);
            case "_codecs.encode":
                if (args.Length >= 1 && args[0] is string str)
                    return Encode(str, args.Length > 1 && args[1] is string e ? e : "utf-8");
                return new PickleObject(g.Module, g.Name, args);
            case "copyreg._reconstructor":
                if (args.Length >= 1 && args[0] is PickleGlobal cls)
                    return new PickleObject(cls.Module, cls.Name, args.Length > 2 && args[2] is not null ? [args[2]] : []);
                return new PickleObject(g.Module, g.Name, args);
            default:
                return new PickleObject(g.Module, g.Name, args);
        }
    }

    /// <summary><c>cls.__new__(cls, *args)</c> for NEWOBJ / NEWOBJ_EX / INST / OBJ: like <see cref="Reduce"/> by default.</summary>
    protected virtual object? NewObject(object? cls, object?[] args, PickleDict? kwargs)
    {
        var o = Reduce(cls, args);
        if (kwargs is { Count: > 0 } && o is PickleObject po && po.State is null) po.State = kwargs;
        return o;
    }

    /// <summary>BUILD: gives <paramref name="obj"/> its state. Stand-ins and dicts keep it; other values ignore it.</summary>
    protected virtual object? Build(object? obj, object? state)
    {
        switch (obj)
        {
            case PickleObject po:
                if (po.State is PickleDict existing && state is PickleDict more)
                    foreach (var kv in more) existing[kv.Key] = kv.Value;
                else po.State = state;
                break;
            case PickleDict d:
                d.State = state;
                break;
        }
        return obj;
    }


    /// <summary>A short Python-like type name for messages.</summary>
    protected static string TypeName(object? x) => x switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        object?[] => "tuple",
        PickleSet => "set",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.FullName,
        PickleObject o => o.FullName,
        _ => x.GetType().Name,
    };

    static string MapModule(string module) => module switch
    {
        "__builtin__" => "builtins",
        "copy_reg" => "copyreg",
        _ => module,
    };

    static byte[] Encode(string s, string encoding) =>
        encoding.Replace("-", "").Replace("_", "").ToLowerInvariant() is "latin1" or "iso88591" or "l1"
            ? Encoding.Latin1.GetBytes(s)
            : Encoding.UTF8.GetBytes(s);
}
