using DetrSharp.Torch;

namespace DetrSharp.Training;

/// <summary>Finds NaN or infinite values in a module's tensors, one device-side reduction per tensor.</summary>
public static class NonFiniteCheck
{
    /// <summary>The name of the first tensor that holds a NaN or infinite value, or null when all are finite.</summary>
    public static string? FirstNonFinite(IEnumerable<(string name, Tensor value)> tensors)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var (name, t) in tensors)
        {
            if (!t.is_floating_point()) continue;
            if (!t.isfinite().all().item<bool>()) return name;
        }
        return null;
    }

    /// <summary>True when the tensor holds a NaN or infinite value.</summary>
    public static bool HasNonFinite(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return t.is_floating_point() && !t.isfinite().all().item<bool>();
    }
}
