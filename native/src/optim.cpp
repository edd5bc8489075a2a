// Optimizer steps and gradient clipping over a whole parameter list in one call, so a training step of
// a few hundred parameter tensors costs one crossing instead of ~10 per tensor. Each function runs the
// same ATen kernels, in the same order and on the same operand values, as PyTorch 1.13's single-tensor
// (non-foreach) implementation, so the results are identical to torch.optim's; what differs is only where
// temporaries live and how scalar operands are passed (see ScalarOperands and Scratch).
#include "common.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <vector>

namespace {

// Scalar operands of mul_/div_/add_ as 0-d tensors of the parameter's dtype. ATen turns a Scalar into a
// 0-d double tensor and casts it to the operation's dtype on every call (a few microseconds each); for
// float and double CPU tensors the cast value is exactly the 0-d tensor made once here, so the results are
// unchanged. Other dtypes and devices (where the kernels may read the uncast double) keep the Scalar call.
class ScalarOperands {
 public:
  void mul_(at::Tensor& t, double value) {
    if (fast(t)) t.mul_(get(value, t.scalar_type()));
    else t.mul_(value);
  }
  void div_(at::Tensor& t, double value) {
    if (fast(t)) t.div_(get(value, t.scalar_type()));
    else t.div_(value);
  }
  void add_(at::Tensor& t, double value) {
    if (fast(t)) t.add_(get(value, t.scalar_type()));
    else t.add_(value);
  }

 private:
  struct Entry {
    double value;
    at::ScalarType dtype;
    at::Tensor tensor;
  };
  static bool fast(const at::Tensor& t) {
    return t.device().is_cpu() && (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble);
  }
  const at::Tensor& get(double value, at::ScalarType dtype) {
    for (const auto& e : cache_)
      if (e.value == value && e.dtype == dtype) return e.tensor;
    cache_.push_back({value, dtype, at::scalar_tensor(value, at::TensorOptions().dtype(dtype))});
    return cache_.back().tensor;
  }
  std::deque<Entry> cache_;  // a deque: references stay valid as it grows
};

// Where a step's parameter-sized temporaries (Adam's denominator, a gradient plus weight decay) are written.
// For large parameters, a view of one buffer reused across the parameters of the call: a fresh multi-MB
// allocation per parameter and step is returned to the OS and page-faulted back in each time, costing more
// than the arithmetic. Small ones get a fresh tensor (cheaper than slicing the buffer). The ops then write
// into it with their _out forms, which compute exactly what the allocating forms compute.
class Scratch {
 public:
  static constexpr int64_t kMinNumel = 1 << 15;  // 128 KB of float: glibc's default mmap threshold

  explicit Scratch(int64_t capacity) : capacity_(capacity) {}

  at::Tensor like(const at::Tensor& t) {
    if (t.numel() < kMinNumel) return at::empty(t.sizes(), t.options());
    if (!buf_.defined() || buf_.numel() < t.numel() || buf_.scalar_type() != t.scalar_type() ||
        buf_.device() != t.device()) {
      buf_ = at::empty({std::max(capacity_, t.numel())}, t.options());
    }
    return buf_.narrow(0, 0, t.numel()).view(t.sizes());
  }

 private:
  int64_t capacity_;
  at::Tensor buf_;
};

// A gradient that becomes a temporary the first time it is changed (negated, weight decay added), so that
// the parameter's .grad is never written and each change after the first is in place.
class WorkingGrad {
 public:
  WorkingGrad(const at::Tensor& grad, Scratch& scratch) : value_(grad), scratch_(scratch) {}

  const at::Tensor& get() const { return value_; }

  void neg() {
    at::Tensor out = target();
    at::neg_out(out, value_);
    value_ = out;
  }

  // value += alpha * other
  void add(const at::Tensor& other, double alpha) {
    at::Tensor out = target();
    at::add_out(out, value_, other, alpha);
    value_ = out;
  }

 private:
  at::Tensor target() {
    if (!owned_) {
      owned_ = true;
      return scratch_.like(value_);
    }
    return value_;
  }

  at::Tensor value_;
  Scratch& scratch_;
  bool owned_ = false;
};

int64_t max_numel(dsh_tensor* tensors, int n) {
  int64_t m = 0;
  for (int i = 0; i < n; ++i) m = std::max(m, tensors[i]->numel());
  return m;
}

}  // namespace

// flags[i] = 1 when params[i] has a gradient, else 0.
DSH_API int dsh_optim_has_grad(dsh_tensor* params, int n, uint8_t* flags) {
  DSH_TRY for (int i = 0; i < n; ++i) flags[i] = params[i]->grad().defined() ? 1 : 0;
  return 0;
  DSH_CATCH(-1)
}

// torch.optim.SGD's step (_single_tensor_sgd) over params that all have a gradient. momentum_buffers[i]
// null means "no buffer yet": when momentum != 0 a new one (an owned handle) is written there.
DSH_API int dsh_optim_sgd_step(dsh_tensor* params, dsh_tensor* momentum_buffers, int n, double lr, double momentum,
                               double dampening, double weight_decay, int nesterov, int maximize) {
  DSH_TRY at::NoGradGuard no_grad;
  ScalarOperands scalars;
  Scratch scratch(max_numel(params, n));
  for (int i = 0; i < n; ++i) {
    at::Tensor& param = *params[i];
    const at::Tensor& grad = param.grad();
    if (!grad.defined()) continue;
    WorkingGrad d_p(grad, scratch);
    if (maximize) d_p.neg();
    if (weight_decay != 0) d_p.add(param, weight_decay);
    if (momentum != 0) {
      if (momentum_buffers[i] == nullptr) {
        momentum_buffers[i] = dsh::wrap(at::clone(d_p.get()).detach());
      } else {
        scalars.mul_(*momentum_buffers[i], momentum);
        momentum_buffers[i]->add_(d_p.get(), 1 - dampening);
      }
      const at::Tensor& buf = *momentum_buffers[i];
      if (nesterov) {
        d_p.add(buf, momentum);
      } else {
        param.add_(buf, -lr);
        continue;
      }
    }
    param.add_(d_p.get(), -lr);
  }
  return 0;
  DSH_CATCH(-1)
}

// torch.optim.Adam's step (_single_tensor_adam), or AdamW's (_single_tensor_adamw) when decoupled != 0,
// over params that all have a gradient. steps[i] is the parameter's step count after this step (1 on the
// first); max_exp_avg_sqs is read only when amsgrad != 0.
DSH_API int dsh_optim_adam_step(dsh_tensor* params, dsh_tensor* exp_avgs, dsh_tensor* exp_avg_sqs,
                                dsh_tensor* max_exp_avg_sqs, const int64_t* steps, int n, double lr, double beta1,
                                double beta2, double eps, double weight_decay, int amsgrad, int maximize,
                                int decoupled) {
  DSH_TRY at::NoGradGuard no_grad;
  ScalarOperands scalars;
  const int64_t capacity = max_numel(params, n);
  Scratch grad_scratch(capacity), denom_scratch(capacity);
  for (int i = 0; i < n; ++i) {
    at::Tensor& param = *params[i];
    const at::Tensor& g = param.grad();
    if (!g.defined()) continue;
    if (g.is_sparse()) throw std::invalid_argument("Adam does not support sparse gradients");
    at::Tensor& exp_avg = *exp_avgs[i];
    at::Tensor& exp_avg_sq = *exp_avg_sqs[i];
    WorkingGrad working(g, grad_scratch);
    if (maximize) working.neg();
    if (decoupled) {
      if (weight_decay != 0) scalars.mul_(param, 1 - lr * weight_decay);  // a multiply by 1 changes nothing: skipped
    } else if (weight_decay != 0) {
      working.add(param, weight_decay);
    }
    const at::Tensor& grad = working.get();
    scalars.mul_(exp_avg, beta1);
    exp_avg.add_(grad, 1 - beta1);
    scalars.mul_(exp_avg_sq, beta2);
    exp_avg_sq.addcmul_(grad, grad, 1 - beta2);

    const double step = static_cast<double>(steps[i]);
    const double bias_correction1 = 1 - std::pow(beta1, step);
    const double bias_correction2 = 1 - std::pow(beta2, step);
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);

    at::Tensor denom = denom_scratch.like(exp_avg_sq);
    if (amsgrad) {
      at::Tensor& max_sq = *max_exp_avg_sqs[i];
      at::maximum_out(max_sq, max_sq, exp_avg_sq);
      at::sqrt_out(denom, max_sq);
    } else {
      at::sqrt_out(denom, exp_avg_sq);
    }
    scalars.div_(denom, bias_correction2_sqrt);
    scalars.add_(denom, eps);
    param.addcdiv_(exp_avg, denom, -step_size);
  }
  return 0;
  DSH_CATCH(-1)
}

// torch.nn.utils.clip_grad_norm_: the norm of the per-gradient norms (max |g| for an infinite norm_type)
// into *total_norm; gradients scaled by clamp(max_norm / (total + 1e-6), max=1). Returns 1, scaling
// nothing, when error_if_nonfinite is set and the total is NaN or infinite.
DSH_API int dsh_optim_clip_grad_norm(dsh_tensor* params, int n, double max_norm, double norm_type,
                                     int error_if_nonfinite, double* total_norm) {
  DSH_TRY at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  grads.reserve(n);
  for (int i = 0; i < n; ++i) {
    const at::Tensor& g = params[i]->grad();
    if (g.defined()) grads.push_back(g.detach());
  }
  if (grads.empty()) {
    *total_norm = 0;
    return 0;
  }
  const auto device = grads[0].device();
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  at::Tensor total;
  if (std::isinf(norm_type) && norm_type > 0) {
    for (const auto& g : grads) norms.push_back(g.abs().max().to(device));
    total = norms.size() == 1 ? norms[0] : at::max(at::stack(norms));
  } else {
    for (const auto& g : grads) {
      std::vector<int64_t> dims(g.dim());
      std::iota(dims.begin(), dims.end(), 0);
      norms.push_back(at::norm(g, at::Scalar(norm_type), dims, false).to(device));
    }
    at::Tensor stacked = at::stack(norms);
    std::vector<int64_t> dims{0};
    total = at::norm(stacked, at::Scalar(norm_type), dims, false);
  }
  const double value = total.item<double>();
  *total_norm = value;
  if (error_if_nonfinite && !std::isfinite(value)) return 1;
  // max_norm / (total + 1e-6) is Tensor.__rtruediv__: reciprocal, then multiply.
  at::Tensor clip_coef = at::reciprocal(total.add(1e-6)).mul(max_norm);
  at::Tensor clamped = at::clamp(clip_coef, c10::optional<at::Scalar>(), c10::optional<at::Scalar>(1.0));
  for (auto& g : grads) g.mul_(clamped.to(g.device()));
  return 0;
  DSH_CATCH(-1)
}
