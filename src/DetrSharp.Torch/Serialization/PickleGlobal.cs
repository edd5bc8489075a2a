namespace DetrSharp.Torch.Serialization;

/// <summary>
/// A Python class or function named by a pickle's GLOBAL / STACK_GLOBAL opcode, e.g.
/// <c>collections.OrderedDict</c> or <c>torch.FloatStorage</c>. Python-2 module names are mapped
/// to Python 3's (<c>__builtin__</c> → <c>builtins</c>, <c>copy_reg</c> → <c>copyreg</c>).
/// </summary>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <summary><c>module.name</c>.</summary>
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}
