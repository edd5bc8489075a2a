using System.Runtime.InteropServices;

namespace DetrSharp.Torch.Native;

// optim.cpp: optimizer steps and gradient clipping over a whole parameter list in one call.
internal static unsafe partial class NativeMethods
{
    [DllImport(L, ExactSpelling = true)] internal static extern int dsh_optim_has_grad(IntPtr* parameters, int n, byte* flags);

    [DllImport(L, ExactSpelling = true)]
    internal static extern int dsh_optim_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, int n, double lr, double momentum,
        double dampening, double weightDecay, int nesterov, int maximize);

    [DllImport(L, ExactSpelling = true)]
    internal static extern int dsh_optim_adam_step(IntPtr* parameters, IntPtr* expAvgs, IntPtr* expAvgSqs, IntPtr* maxExpAvgSqs,
        long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int maximize,
        int decoupled);

    [DllImport(L, ExactSpelling = true)]
    internal static extern int dsh_optim_clip_grad_norm(IntPtr* parameters, int n, double maxNorm, double normType,
        int errorIfNonfinite, double* totalNorm);
}
