namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// One parameter's optimizer state (PyTorch's <c>optimizer.state[p]</c>). Its tensors belong to the
    /// optimizer, never to a dispose scope, and are freed with it.
    /// </summary>
    internal abstract class ParamState : IDisposable
    {
        /// <summary>The state as PyTorch's state_dict holds it; tensors are aliases sharing storage.</summary>
        public abstract Dictionary<string, object?> ToStateDict();

        public abstract void Dispose();

        /// <summary>A state tensor owned by the optimizer: taken out of any dispose scope.</summary>
        internal static Tensor Own(Tensor t) => t.DetachFromDisposeScope();

        /// <summary>
        /// A copy of a loaded state tensor, cast as PyTorch's load_state_dict casts it: to the parameter's
        /// device, and to its dtype when the parameter is floating point; the shape must be the parameter's.
        /// </summary>
        internal static Tensor LoadLikeParam(Tensor param, object? value, string where)
        {
            var t = value as Tensor ?? throw new ArgumentException($"{where} must be a tensor, got {StateValue.Describe(value)}");
            if (!t.shape.SequenceEqual(param.shape))
                throw new ArgumentException(
                    $"{where} has shape [{string.Join(", ", t.shape)}] but its parameter has shape [{string.Join(", ", param.shape)}]");
            var dtype = param.is_floating_point() ? param.dtype : t.dtype;
            return Own(t.to(dtype, param.device, copy: true));
        }

        /// <summary>A 0-d float32 tensor holding a step count, as PyTorch 1.13 stores 'step'.</summary>
        internal static Tensor StepTensor(long step) => torch.tensor((float)step);
    }
}
