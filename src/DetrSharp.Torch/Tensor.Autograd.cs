using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Autograd: requires_grad, grad, backward, detach.
public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => NativeMethods.dsh_requires_grad(Handle) != 0;
        set => TorchException.Check(NativeMethods.dsh_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf => NativeMethods.dsh_is_leaf(Handle) != 0;

    /// <summary>The accumulated gradient (a new handle to it), or null when there is none.</summary>
    public Tensor? grad
    {
        get
        {
            var g = NativeMethods.dsh_grad(Handle);
            if (g != IntPtr.Zero) return Wrap(g);
            var err = TorchException.Last();
            return err.Message.Length == 0 ? null : throw err;
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
