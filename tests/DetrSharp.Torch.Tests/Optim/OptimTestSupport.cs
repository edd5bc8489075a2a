using System.Collections;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Optim;

/// <summary>
/// The tiny problem the update-rule tests share: one 3-element parameter starting at P0, given the gradients
/// G[0], G[1], G[2] on three steps. Reference values come from PyTorch 1.13.1 (python3-torch, the same
/// libtorch) running the same steps; the tests also re-derive the simple ones by hand.
/// </summary>
internal static class OptimTestSupport
{
    public static readonly double[] P0 = [1.0, -2.0, 0.5];

    public static readonly double[][] G = [[0.5, -1.0, 0.25], [0.1, 0.3, -0.7], [-0.2, 0.4, 0.05]];

    /// <summary>Runs the optimizer <paramref name="make"/> builds over the problem; the parameter's values after each step.</summary>
    public static double[][] Run(Func<Tensor[], optim.Optimizer> make, ScalarType dtype, int steps = 3)
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(P0, dtype: dtype).requires_grad_();
        using var opt = make([p]);
        var result = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            p.grad = torch.tensor(G[s], dtype: dtype);
            opt.step();
            result[s] = Values(p);
        }
        return result;
    }

    public static double[] Values(Tensor t)
    {
        using var d = t.detach().to(ScalarType.Float64);
        return d.data<double>();
    }

    public static void Close(double[] expected, double[] actual, double tol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol,
                $"{what} element {i}: expected {expected[i]:R}, got {actual[i]:R} (tol {tol})");
    }

    public static void Close(double[][] expected, double[][] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int s = 0; s < expected.Length; s++) Close(expected[s], actual[s], tol, $"step {s + 1}:");
    }

    /// <summary>
    /// A deep copy of a state dict with every tensor cloned (what a torch.save / torch.load round trip gives),
    /// so that later steps of the live optimizer do not change it. The copy's tensors are detached from scopes.
    /// </summary>
    public static object? DeepClone(object? value) => value switch
    {
        null => null,
        Tensor t => t.clone().DetachFromDisposeScope(),
        object?[] tuple => tuple.Select(DeepClone).ToArray(),
        IDictionary d => CloneDict(d),
        string or bool or long or int or double => value,
        IEnumerable list => list.Cast<object?>().Select(DeepClone).ToList(),
        _ => throw new ArgumentException($"unexpected {value.GetType()}"),
    };

    static object CloneDict(IDictionary d)
    {
        if (d is Dictionary<string, object?> s) return s.ToDictionary(kv => kv.Key, kv => DeepClone(kv.Value));
        if (d is Dictionary<long, object?> l) return l.ToDictionary(kv => kv.Key, kv => DeepClone(kv.Value));
        throw new ArgumentException($"unexpected dictionary {d.GetType()}");
    }

    /// <summary>Disposes every tensor in a (nested) state dict.</summary>
    public static void DisposeTensors(object? value)
    {
        switch (value)
        {
            case Tensor t: t.Dispose(); break;
            case IDictionary d: foreach (DictionaryEntry e in d) DisposeTensors(e.Value); break;
            case KeyValuePair<object?, object?> kv: DisposeTensors(kv.Value); break;
            case string: break;
            case IEnumerable e: foreach (var x in e) DisposeTensors(x); break;
        }
    }
}
