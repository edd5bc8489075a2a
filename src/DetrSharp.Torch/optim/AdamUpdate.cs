using System.Buffers;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// The step shared by Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay):
    /// per group, one native call finds the parameters with a gradient, state is created for new ones and
    /// step counts advance here, and one native call (dsh_optim_adam_step) updates them all.
    /// </summary>
    internal static class AdamUpdate
    {
        /// <summary>Adam's option names and PyTorch's fixed flags, in torch.optim.Adam's order.</summary>
        public static readonly string[] AdamOrder =
            ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused"];

        /// <summary>AdamW's, in torch.optim.AdamW's order.</summary>
        public static readonly string[] AdamWOrder = ["lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable"];

        public static readonly Dictionary<string, object?> Fixed = new()
        {
            ["foreach"] = null, ["capturable"] = false, ["differentiable"] = false, ["fused"] = false,
        };

        public static void Validate(double lr, (double beta1, double beta2) betas, double eps, double weightDecay)
        {
            if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {lr}");
            if (!(eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {eps}");
            if (!(betas.beta1 >= 0 && betas.beta1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {betas.beta1}");
            if (!(betas.beta2 >= 0 && betas.beta2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {betas.beta2}");
            if (!(weightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {weightDecay}");
        }

        public static unsafe void Step(Optimizer optimizer, bool decoupled, ref Tensor[] withGrad)
        {
            optimizer.ThrowIfDisposed();
            using var _ = torch.no_grad();
            foreach (var g in optimizer.param_groups)
            {
                if (withGrad.Length < g.Params.Length) withGrad = new Tensor[g.Params.Length];
                int n = Optimizer.ParamsWithGrad(g, withGrad);
                if (n == 0) continue;
                bool amsgrad = g.amsgrad;
                var (beta1, beta2) = g.betas;
                var handles = ArrayPool<IntPtr>.Shared.Rent(4 * n);
                var steps = ArrayPool<long>.Shared.Rent(n);
                try
                {
                    for (int i = 0; i < n; i++)
                    {
                        var p = withGrad[i];
                        var s = optimizer.GetState(p, param => AdamState.Zeros(param, amsgrad));
                        if (amsgrad && s.max_exp_avg_sq is null) s.max_exp_avg_sq = ParamState.Own(torch.zeros_like(p));
                        steps[i] = ++s.step;
                        handles[i] = p.Handle;
                        handles[n + i] = s.exp_avg.Handle;
                        handles[2 * n + i] = s.exp_avg_sq.Handle;
                        handles[3 * n + i] = s.max_exp_avg_sq?.Handle ?? IntPtr.Zero;
                    }
                    fixed (IntPtr* h = handles)
                    fixed (long* st = steps)
                        TorchException.Check(NativeMethods.dsh_optim_adam_step(h, h + n, h + 2 * n, h + 3 * n, st, n,
                            g.lr, beta1, beta2, g.eps, g.weight_decay, amsgrad ? 1 : 0, g.maximize ? 1 : 0, decoupled ? 1 : 0));
                }
                finally
                {
                    ArrayPool<IntPtr>.Shared.Return(handles);
                    ArrayPool<long>.Shared.Return(steps);
                    Array.Clear(withGrad, 0, n);
                }
            }
        }
    }
}
