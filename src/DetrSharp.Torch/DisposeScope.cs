namespace DetrSharp.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is open, when it is disposed, except the
/// ones moved out (<see cref="MoveToOuter"/>, <see cref="Tensor.MoveToOuterDisposeScope"/>) or detached
/// from it (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes nest; as TorchSharp's NewDisposeScope.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? _current;

    readonly DisposeScope? _outer;
    // Every tensor ever registered here; one that was disposed, moved out or detached since has a
    // different Scope and is skipped, so registering and leaving are O(1).
    readonly List<Tensor> _tensors = new();
    int _live;
    bool _disposed;

    internal DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => _live;

    internal static void Register(Tensor t)
    {
        var s = _current;
        if (s != null)
        {
            s._tensors.Add(t);
            s._live++;
            t.Scope = s;
        }
    }

    internal void Remove(Tensor t) => _live--; // the caller clears t.Scope

    /// <summary>Hands the tensor to the enclosing scope (or to no scope), so it outlives this one.</summary>
    public Tensor MoveToOuter(Tensor t)
    {
        if (t.Scope == this)
        {
            _live--;
            t.Scope = null;
            if (_outer != null && !_outer._disposed)
            {
                _outer._tensors.Add(t);
                _outer._live++;
                t.Scope = _outer;
            }
        }
        return t;
    }

    /// <summary>Moves several tensors out; returns them for chaining.</summary>
    public void MoveToOuter(params Tensor[] ts)
    {
        foreach (var t in ts) MoveToOuter(t);
    }

    /// <summary>Takes the tensor out of every scope: its owner now disposes it.</summary>
    public Tensor Detach(Tensor t)
    {
        t.Scope?.Remove(t);
        t.Scope = null;
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors)
        {
            if (t.Scope != this) continue;
            t.Scope = null;
            t.Dispose();
        }
        _tensors.Clear();
        _live = 0;
        // Scopes close innermost first; if one is disposed out of order, unwind to its outer.
        if (_current == this) _current = _outer;
        else
        {
            var s = _current;
            while (s != null && s != this) s = s._outer;
            if (s == this) _current = _outer;
        }
    }
}
