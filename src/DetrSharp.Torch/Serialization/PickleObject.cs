namespace DetrSharp.Torch.Serialization;

/// <summary>
/// The stand-in for a Python object the reader does not know (an <c>argparse.Namespace</c> in a training
/// checkpoint, a numpy scalar, a custom class): its class, the arguments it was built from and the state
/// BUILD gave it, so the rest of the file still loads and the object can be inspected.
/// </summary>
public sealed class PickleObject
{
    /// <summary>The class's module, e.g. <c>argparse</c>.</summary>
    public string Module { get; }

    /// <summary>The class (or factory function) name, e.g. <c>Namespace</c>.</summary>
    public string Name { get; }

    /// <summary>The constructor / reduce arguments (a tuple).</summary>
    public object?[] Args { get; }

    /// <summary>The state set by BUILD (usually a <see cref="PickleDict"/> of attributes), or null.</summary>
    public object? State { get; set; }

    /// <summary>Items appended with APPEND/APPENDS (list subclasses), or null.</summary>
    public List<object?>? ListItems { get; set; }

    /// <summary>Items set with SETITEM/SETITEMS (dict subclasses), or null.</summary>
    public PickleDict? DictItems { get; set; }

    public PickleObject(string module, string name, object?[] args, object? state = null)
    {
        Module = module;
        Name = name;
        Args = args;
        State = state;
    }

    /// <summary><c>module.name</c>.</summary>
    public string FullName => Module + "." + Name;

    /// <summary>An attribute from a dict state (e.g. <c>lr</c> of an argparse.Namespace), or null.</summary>
    public object? GetAttribute(string name)
    {
        var state = State is object?[] { Length: 2 } t && t[0] is PickleDict ? t[0] : State;
        return state is PickleDict d && d.TryGetValue(name, out var v) ? v : null;
    }

    public override string ToString() => $"{FullName}(...)";
}
