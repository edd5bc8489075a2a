namespace DetrSharp.Torch.Serialization;

/// <summary>A Python <c>set</c> or <c>frozenset</c> from a pickle, its items in the order the file lists them.</summary>
public sealed class PickleSet : List<object?>
{
    /// <summary>True for a frozenset.</summary>
    public bool IsFrozen { get; init; }

    public PickleSet() { }

    public PickleSet(IEnumerable<object?> items, bool frozen = false) : base(items) => IsFrozen = frozen;

    public override string ToString() => $"{(IsFrozen ? "frozenset" : "set")}({Count} items)";
}
