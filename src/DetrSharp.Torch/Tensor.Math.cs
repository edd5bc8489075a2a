using DetrSharp.Torch.Dispatch;
using DetrSharp.Torch.Native;

namespace DetrSharp.Torch;

// Unary math, clamp, where, softmax and friends.
public sealed partial class Tensor
{
    static readonly Op LogOp1p = new("aten::log1p"), AtanOp = new("aten::atan"), Atan2Op = new("aten::atan2"),
        FloorOp = new("aten::floor"), CeilOp = new("aten::ceil"), RoundOp = new("aten::round"), RoundDecOp = new("aten::round.decimals"),
        TanhOp = new("aten::tanh"), SinOp = new("aten::sin"), CosOp = new("aten::cos"), RsqrtOp = new("aten::rsqrt"),
        ReciprocalOp = new("aten::reciprocal"), SignOp = new("aten::sign"), SquareOp = new("aten::square"),
        IsnanOp = new("aten::isnan"), IsinfOp = new("aten::isinf"), IsfiniteOp = new("aten::isfinite"),
        ClampOp = new("aten::clamp"), ClampTOp = new("aten::clamp.Tensor"), ClampIOp = new("aten::clamp_"),
        SoftmaxOp = new("aten::softmax.int"), LogSoftmaxOp = new("aten::log_softmax.int"),
        WhereOp = new("aten::where.self"), WhereScalarOtherOp = new("aten::where.ScalarOther"),
        RemainderOp = new("aten::remainder.Scalar"), FloorDivOp = new("aten::floor_divide.Scalar"), FloorDivTOp = new("aten::floor_divide"),
        TruncDivOp = new("aten::div.Tensor_mode"), LerpOp = new("aten::lerp_.Scalar"), AddcmulOp = new("aten::addcmul_"),
        AddcdivOp = new("aten::addcdiv_"), SqrtIOp = new("aten::sqrt_"), ExpIOp = new("aten::exp_"), SigmoidIOp = new("aten::sigmoid_"),
        ReluIOp = new("aten::relu_"), NormalIOp = new("aten::normal_"), UniformIOp = new("aten::uniform_"), BernoulliIOp = new("aten::bernoulli_.float"),
        ClampMinIOp = new("aten::clamp_min_"), ClampMaxIOp = new("aten::clamp_max_"), ErfOp = new("aten::erf"), Log2Op = new("aten::log2"),
        NanToNumOp = new("aten::nan_to_num");

    public Tensor exp() => Wrap(NativeMethods.dsh_exp(Handle));
    public Tensor log() => Wrap(NativeMethods.dsh_log(Handle));
    public Tensor sqrt() => Wrap(NativeMethods.dsh_sqrt(Handle));
    public Tensor abs() => Wrap(NativeMethods.dsh_abs(Handle));
    public Tensor sigmoid() => Wrap(NativeMethods.dsh_sigmoid(Handle));
    public Tensor relu() => Wrap(NativeMethods.dsh_relu(Handle));
    public Tensor log1p() => LogOp1p.Tensor(this);
    public Tensor log2() => Log2Op.Tensor(this);
    public Tensor atan() => AtanOp.Tensor(this);
    public Tensor atan2(Tensor other) => Atan2Op.Tensor(this, other);
    public Tensor floor() => FloorOp.Tensor(this);
    public Tensor ceil() => CeilOp.Tensor(this);
    public Tensor round() => RoundOp.Tensor(this);
    public Tensor round(long decimals) => RoundDecOp.Tensor(this, Arg.None, decimals.AsNamed("decimals"));
    public Tensor tanh() => TanhOp.Tensor(this);
    public Tensor sin() => SinOp.Tensor(this);
    public Tensor cos() => CosOp.Tensor(this);
    public Tensor erf() => ErfOp.Tensor(this);
    public Tensor rsqrt() => RsqrtOp.Tensor(this);
    public Tensor reciprocal() => ReciprocalOp.Tensor(this);
    public Tensor sign() => SignOp.Tensor(this);
    public Tensor square() => SquareOp.Tensor(this);
    public Tensor isnan() => IsnanOp.Tensor(this);
    public Tensor isinf() => IsinfOp.Tensor(this);
    public Tensor isfinite() => IsfiniteOp.Tensor(this);
    public Tensor nan_to_num(double nan = 0, double? posinf = null, double? neginf = null) => NanToNumOp.Tensor(this, nan, posinf, neginf);
    public Tensor remainder(Scalar other) => RemainderOp.Tensor(this, other);
    public Tensor floor_divide(Scalar other) => FloorDivOp.Tensor(this, other);
    public Tensor floor_divide(Tensor other) => FloorDivTOp.Tensor(this, other);
    /// <summary>torch.div with rounding_mode "trunc" or "floor".</summary>
    public Tensor div(Tensor other, string rounding_mode) => TruncDivOp.Tensor(this, other, rounding_mode);
    public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);

    public Tensor clamp(Scalar? min = null, Scalar? max = null) => ClampOp.Tensor(this, min, max);
    public Tensor clamp(Tensor? min, Tensor? max) => ClampTOp.Tensor(this, min, max);
    public Tensor clamp_min(Scalar min) => ClampOp.Tensor(this, min, Arg.None);
    public Tensor clamp_max(Scalar max) => ClampOp.Tensor(this, Arg.None, max);
    public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
    public Tensor clamp_(Scalar? min = null, Scalar? max = null) { ClampIOp.InPlace(this, min, max); return this; }
    public Tensor clamp_min_(Scalar min) { ClampMinIOp.InPlace(this, min); return this; }
    public Tensor clamp_max_(Scalar max) { ClampMaxIOp.InPlace(this, max); return this; }
    public Tensor sqrt_() { SqrtIOp.InPlace(this); return this; }
    public Tensor exp_() { ExpIOp.InPlace(this); return this; }
    public Tensor sigmoid_() { SigmoidIOp.InPlace(this); return this; }
    public Tensor relu_() { ReluIOp.InPlace(this); return this; }

    /// <summary>this += weight * (end - this).</summary>
    public Tensor lerp_(Tensor end, Scalar weight) { LerpOp.InPlace(this, end, weight); return this; }
    /// <summary>this += value * t1 * t2.</summary>
    public Tensor addcmul_(Tensor t1, Tensor t2, Scalar? value = null) { AddcmulOp.InPlace(this, t1, t2, value ?? 1); return this; }
    /// <summary>this += value * t1 / t2.</summary>
    public Tensor addcdiv_(Tensor t1, Tensor t2, Scalar? value = null) { AddcdivOp.InPlace(this, t1, t2, value ?? 1); return this; }

    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null) { NormalIOp.InPlace(this, mean, std, generator); return this; }
    public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null) { UniformIOp.InPlace(this, from, to, generator); return this; }
    public Tensor bernoulli_(double p = 0.5, Generator? generator = null) { BernoulliIOp.InPlace(this, p, generator); return this; }

    public Tensor softmax(long dim, ScalarType? dtype = null) => SoftmaxOp.Tensor(this, dim, dtype);
    public Tensor log_softmax(long dim, ScalarType? dtype = null) => LogSoftmaxOp.Tensor(this, dim, dtype);

    /// <summary>Elements of this where condition holds, else of other.</summary>
    public Tensor where(Tensor condition, Tensor other) => WhereOp.Tensor(condition, this, other);
    public Tensor where(Tensor condition, Scalar other) => WhereScalarOtherOp.Tensor(condition, this, other);
}

internal static class ArgExtensions
{
    public static Arg AsNamed(this long v, string name) => ((Arg)v).Named(name);
}
