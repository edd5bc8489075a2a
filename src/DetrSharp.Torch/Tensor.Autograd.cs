using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Autograd: requires_grad, grad, backward, detach.
public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => TorchException.Check(NativeMethods.dsh_requires_grad(Handle)) != 0;
        set => TorchException.Check(NativeMethods.dsh_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf => TorchException.Check(NativeMethods.dsh_is_leaf(Handle)) != 0;

    /// <summary>The accumulated gradient (a new handle to it), or null when there is none.</summary>
    public unsafe Tensor? grad
    {
        get
        {
            IntPtr g;
            // 1: a gradient, 0: none (not an error), -1: an error.
            return TorchException.Check(NativeMethods.dsh_grad(Handle, &g)) == 1 ? Wrap(g) : null;
        }
        set => TorchException.Check(NativeMethods.dsh_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Accumulates d(this)/d(leaves) into the leaves' grad (this must be a scalar unless gradient is given).</summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false)
        => TorchException.Check(NativeMethods.dsh_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ? 1 : 0, create_graph ? 1 : 0));

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor detach() => Wrap(NativeMethods.dsh_detach(Handle));

    public Tensor detach_()
    {
        requires_grad = false;
        return this;
    }
}
