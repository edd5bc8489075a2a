using System.Buffers;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

public static partial class nn
{
    /// <summary>torch.nn.utils: gradient clipping.</summary>
    public static partial class utils
    {
        /// <summary>
        /// Scales the gradients of <paramref name="parameters"/> in place so that their joint norm (as if all
        /// were one vector) is at most <paramref name="max_norm"/>, as torch.nn.utils.clip_grad_norm_ (PyTorch
        /// 1.13): total = norm of the per-gradient norms (max |g| for an infinite norm_type); every gradient is
        /// multiplied by min(max_norm / (total + 1e-6), 1). Parameters without a gradient are skipped.
        /// One native call for the whole list.
        /// </summary>
        /// <returns>The total norm before clipping (0 when no parameter has a gradient).</returns>
        /// <exception cref="InvalidOperationException">error_if_nonfinite is set and the total norm is NaN or infinite (nothing is scaled).</exception>
        public static unsafe double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0,
            bool error_if_nonfinite = false)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            var ps = parameters as Tensor[] ?? parameters.ToArray();
            var handles = ArrayPool<IntPtr>.Shared.Rent(Math.Max(ps.Length, 1));
            try
            {
                for (int i = 0; i < ps.Length; i++)
                    handles[i] = (ps[i] ?? throw new ArgumentException($"parameter {i} is null", nameof(parameters))).Handle;
                double total;
                int rc;
                fixed (IntPtr* h = handles)
                    rc = TorchException.Check(NativeMethods.dsh_optim_clip_grad_norm(h, ps.Length, max_norm, norm_type,
                        error_if_nonfinite ? 1 : 0, &total));
                GC.KeepAlive(ps);
                if (rc == 1)
                    throw new InvalidOperationException(
                        $"The total norm of order {norm_type} for gradients from `parameters` is non-finite ({total}), so it cannot be clipped. " +
                        "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=false`");
                return total;
            }
            finally
            {
                ArrayPool<IntPtr>.Shared.Return(handles);
            }
        }

        /// <summary>Clamps every gradient of <paramref name="parameters"/> into [-clip_value, clip_value] in place, as torch.nn.utils.clip_grad_value_.</summary>
        public static void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            using var _ = torch.no_grad();
            foreach (var p in parameters)
            {
                using var g = p.grad;
                g?.clamp_(-clip_value, clip_value);
            }
        }
    }
}
