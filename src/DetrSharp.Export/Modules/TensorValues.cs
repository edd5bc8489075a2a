using DetrSharp.Torch;

namespace DetrSharp.Export.Modules;

/// <summary>Copies a module's parameters and buffers out of libtorch for the exporter.</summary>
public static class TensorValues
{
    /// <summary>The values as float32, row-major.</summary>
    public static float[] Floats(Tensor t)
    {
        using var f = t.detach().to(ScalarType.Float32, Device.CPU).contiguous();
        return f.data<float>();
    }

    /// <summary>The values as float64 (for folding in double precision).</summary>
    public static double[] Doubles(Tensor t)
    {
        using var f = t.detach().to(ScalarType.Float64, Device.CPU).contiguous();
        return f.data<double>();
    }

    /// <summary>A named child module (the state-dict name), of the expected type.</summary>
    public static T Child<T>(nn.Module parent, string name) where T : nn.Module
    {
        foreach (var (n, m) in parent.named_children())
            if (n == name)
                return m as T ?? throw new NotSupportedException($"ONNX export: {parent.GetType().Name}.{name} is a {m.GetType().Name}, expected {typeof(T).Name}");
        throw new NotSupportedException($"ONNX export: {parent.GetType().Name} has no child '{name}'");
    }
}
