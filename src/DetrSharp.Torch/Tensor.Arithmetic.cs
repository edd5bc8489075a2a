using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Element-wise arithmetic and comparisons with broadcasting: typed native entry points (the hot path),
// operators, and the in-place variants (name_).
public sealed partial class Tensor
{
    public Tensor add(Tensor other, Scalar? alpha = null) => Wrap(NativeMethods.dsh_add(Handle, other.Handle, alpha ?? 1));
    public Tensor add(Scalar other) => Wrap(NativeMethods.dsh_add_scalar(Handle, other));
    public Tensor sub(Tensor other, Scalar? alpha = null) => Wrap(NativeMethods.dsh_sub(Handle, other.Handle, alpha ?? 1));
    public Tensor sub(Scalar other) => Wrap(NativeMethods.dsh_sub_scalar(Handle, other));
    public Tensor mul(Tensor other) => Wrap(NativeMethods.dsh_mul(Handle, other.Handle));
    public Tensor mul(Scalar other) => Wrap(NativeMethods.dsh_mul_scalar(Handle, other));
    public Tensor div(Tensor other) => Wrap(NativeMethods.dsh_div(Handle, other.Handle));
    public Tensor div(Scalar other) => Wrap(NativeMethods.dsh_div_scalar(Handle, other));
    public Tensor pow(Tensor exponent) => Wrap(NativeMethods.dsh_pow(Handle, exponent.Handle));
    public Tensor pow(Scalar exponent) => Wrap(NativeMethods.dsh_pow_scalar(Handle, exponent));
    public Tensor matmul(Tensor other) => Wrap(NativeMethods.dsh_matmul(Handle, other.Handle));
    public Tensor neg() => Wrap(NativeMethods.dsh_neg(Handle));
    public Tensor maximum(Tensor other) => Wrap(NativeMethods.dsh_maximum(Handle, other.Handle));
    public Tensor minimum(Tensor other) => Wrap(NativeMethods.dsh_minimum(Handle, other.Handle));

    public Tensor add_(Tensor other, Scalar? alpha = null) { TorchException.Check(NativeMethods.dsh_add_(Handle, other.Handle, alpha ?? 1)); return this; }
    public Tensor add_(Scalar other) { TorchException.Check(NativeMethods.dsh_add_scalar_(Handle, other)); return this; }
    public Tensor sub_(Tensor other, Scalar? alpha = null) { TorchException.Check(NativeMethods.dsh_sub_(Handle, other.Handle, alpha ?? 1)); return this; }
    public Tensor sub_(Scalar other) { TorchException.Check(NativeMethods.dsh_sub_scalar_(Handle, other)); return this; }
    public Tensor mul_(Tensor other) { TorchException.Check(NativeMethods.dsh_mul_(Handle, other.Handle)); return this; }
    public Tensor mul_(Scalar other) { TorchException.Check(NativeMethods.dsh_mul_scalar_(Handle, other)); return this; }
    public Tensor div_(Tensor other) { TorchException.Check(NativeMethods.dsh_div_(Handle, other.Handle)); return this; }
    public Tensor div_(Scalar other) { TorchException.Check(NativeMethods.dsh_div_scalar_(Handle, other)); return this; }
    public Tensor fill_(Scalar value) { TorchException.Check(NativeMethods.dsh_fill_(Handle, value)); return this; }
    public Tensor zero_() { TorchException.Check(NativeMethods.dsh_zero_(Handle)); return this; }

    /// <summary>Copies src into this tensor (broadcast, converting dtype and device).</summary>
    public Tensor copy_(Tensor src) { TorchException.Check(NativeMethods.dsh_copy_(Handle, src.Handle)); return this; }

    public Tensor eq(Tensor other) => Wrap(NativeMethods.dsh_eq(Handle, other.Handle));
    public Tensor ne(Tensor other) => Wrap(NativeMethods.dsh_ne(Handle, other.Handle));
    public Tensor lt(Tensor other) => Wrap(NativeMethods.dsh_lt(Handle, other.Handle));
    public Tensor le(Tensor other) => Wrap(NativeMethods.dsh_le(Handle, other.Handle));
    public Tensor gt(Tensor other) => Wrap(NativeMethods.dsh_gt(Handle, other.Handle));
    public Tensor ge(Tensor other) => Wrap(NativeMethods.dsh_ge(Handle, other.Handle));
    public Tensor eq(Scalar other) => Wrap(NativeMethods.dsh_eq_scalar(Handle, other));
    public Tensor ne(Scalar other) => Wrap(NativeMethods.dsh_ne_scalar(Handle, other));
    public Tensor lt(Scalar other) => Wrap(NativeMethods.dsh_lt_scalar(Handle, other));
    public Tensor le(Scalar other) => Wrap(NativeMethods.dsh_le_scalar(Handle, other));
    public Tensor gt(Scalar other) => Wrap(NativeMethods.dsh_gt_scalar(Handle, other));
    public Tensor ge(Scalar other) => Wrap(NativeMethods.dsh_ge_scalar(Handle, other));
    public Tensor logical_and(Tensor other) => Wrap(NativeMethods.dsh_logical_and(Handle, other.Handle));
    public Tensor logical_or(Tensor other) => Wrap(NativeMethods.dsh_logical_or(Handle, other.Handle));
    public Tensor logical_not() => Wrap(NativeMethods.dsh_logical_not(Handle));

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
    public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
    public static Tensor operator -(Scalar a, Tensor b) => Wrap(NativeMethods.dsh_rsub_scalar(b.Handle, a));
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
    public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
    public static Tensor operator /(Scalar a, Tensor b) { using var r = b.reciprocal(); return r.mul(a); }
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
    public static Tensor operator !(Tensor a) => a.logical_not();
    public static Tensor operator ~(Tensor a) => a.logical_not();
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator <(Tensor a, Scalar b) => a.lt(b);
    public static Tensor operator >(Tensor a, Scalar b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Scalar b) => a.le(b);
    public static Tensor operator >=(Tensor a, Scalar b) => a.ge(b);
}
