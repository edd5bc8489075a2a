// SyncBatchNorm, as torch.nn.SyncBatchNorm (torch/nn/modules/_functions.py) computes it, as an autograd function:
// training-mode batch normalisation whose statistics are those of the whole global batch. Forward: each rank's
// per-channel sum, sum of squares and element count (from its local mean and biased variance, accumulated in
// float64), summed over the ranks by one all-reduce; the global mean and biased variance normalise, the unbiased one
// updates the running variance. Backward: the per-channel sums of dy and dy * (x - mean) summed over the ranks by one
// all-reduce give the input's gradient; weight and bias get this rank's own sums (the data-parallel gradient
// averaging then sums them over the ranks, as DDP does for torch's). Every rank must call it the same number of
// times in the same order (it is a collective).
#include "common.h"

#include <chrono>
#include <vector>

#ifdef DSH_WITH_GLOO
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

namespace {
#ifdef DSH_WITH_GLOO
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroup>;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// this thread's milliseconds in SyncBatchNorm's all-reduces (a rank's forward and CPU backward run on its thread)
thread_local double wait_ms = 0;

void allreduce_sum(const GroupPtr& group, at::Tensor& t) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<at::Tensor> bucket{t};
  group->allreduce(bucket)->wait();  // the group's timeout bounds it
  wait_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// [1, C, 1, 1, ...] for broadcasting a per-channel vector against [N, C, *]
std::vector<int64_t> channel_shape(const at::Tensor& x) {
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = x.size(1);
  return shape;
}

std::vector<int64_t> reduce_dims(const at::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

// float32 for reduced precision input (bf16/fp16 under autocast), else the input's own type
at::ScalarType compute_type(const at::Tensor& x) {
  return x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

struct SyncBatchNormFn : torch::autograd::Function<SyncBatchNormFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias,
                            const at::Tensor& running_mean, const at::Tensor& running_var, double momentum, double eps,
                            GroupPtr group) {
    const int64_t c = input.size(1);
    const auto ct = compute_type(input);
    const auto x = input.to(ct);
    const auto dims = reduce_dims(x);
    const auto shape = channel_shape(x);
    auto [var, mean] = at::var_mean(x, dims, /*unbiased=*/false, /*keepdim=*/false);  // [C], [C]
    const double n = static_cast<double>(input.numel() / c);
    auto mean64 = mean.to(at::kDouble);
    auto stats = at::cat({mean64 * n, (var.to(at::kDouble) + mean64.square()) * n, at::full({1}, n, mean64.options())});  // [2C + 1]
    allreduce_sum(group, stats);
    const double total = stats[2 * c].item<double>();
    if (total <= 1) throw std::invalid_argument("SyncBatchNorm: expected more than 1 value per channel over all ranks when training");
    auto gmean = stats.narrow(0, 0, c) / total;                                // [C] float64
    auto gvar = (stats.narrow(0, c, c) / total - gmean.square()).clamp_min(0);  // [C] float64, biased
    if (running_mean.defined()) running_mean.mul_(1 - momentum).add_(gmean.to(running_mean.scalar_type()), momentum);
    if (running_var.defined()) running_var.mul_(1 - momentum).add_((gvar * (total / (total - 1))).to(running_var.scalar_type()), momentum);
    auto mean_c = gmean.to(ct);
    auto invstd = (gvar + eps).rsqrt().to(ct);  // [C]
    auto scale = weight.defined() ? invstd * weight.to(ct) : invstd;
    auto shift = bias.defined() ? bias.to(ct) - mean_c * scale : -mean_c * scale;
    auto out = x * scale.view(shape) + shift.view(shape);  // [N, C, *]
    ctx->save_for_backward({input, weight, mean_c, invstd});
    ctx->saved_data["count"] = total;
    ctx->saved_data["group"] = c10::IValue::make_capsule(group);
    return out.to(input.scalar_type());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& weight = saved[1];
    const auto& mean = saved[2];
    const auto& invstd = saved[3];
    const double total = ctx->saved_data["count"].toDouble();
    auto group = c10::static_intrusive_pointer_cast<c10d::ProcessGroup>(ctx->saved_data["group"].toCapsule());
    const int64_t c = input.size(1);
    const auto ct = compute_type(input);
    const auto x = input.to(ct);
    const auto dy = grad_outputs[0].to(ct);
    const auto dims = reduce_dims(x);
    const auto shape = channel_shape(x);
    auto xmu = x - mean.view(shape);
    auto sum_dy = dy.sum(dims);               // [C]
    auto sum_dy_xmu = (dy * xmu).sum(dims);  // [C]
    at::Tensor grad_input, grad_weight, grad_bias;
    if (weight.defined() && ctx->needs_input_grad(1)) grad_weight = (sum_dy_xmu * invstd).to(weight.scalar_type());
    if (ctx->needs_input_grad(2)) grad_bias = sum_dy.to(weight.defined() ? weight.scalar_type() : ct);
    if (ctx->needs_input_grad(0)) {
      auto both = at::cat({sum_dy, sum_dy_xmu});  // [2C]
      allreduce_sum(group, both);
      auto mean_dy = both.narrow(0, 0, c) / total;
      auto mean_dy_xmu = both.narrow(0, c, c) / total;
      auto w = weight.defined() ? weight.to(ct) * invstd : invstd;
      grad_input = ((dy - mean_dy.view(shape) - xmu * (invstd.square() * mean_dy_xmu).view(shape)) * w.view(shape)).to(input.scalar_type());
    }
    return {grad_input, grad_weight, grad_bias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};
#endif

[[noreturn]] [[maybe_unused]] void unavailable() {
  throw std::runtime_error(
      "distributed training is not available: the native shim was built without c10d's Gloo backend "
      "(install libgloo-dev and rebuild native/)");
}
}  // namespace

// Training-mode batch normalisation of input [N, C, *] with the statistics of every rank's batch (a collective).
// weight, bias, running_mean, running_var may be null; the running ones are updated in place with momentum
// (the new batch's weight). Returns [N, C, *] (input's dtype), null on error.
DSH_API dsh_tensor dsh_dist_sync_batch_norm(void* group, dsh_tensor input, dsh_tensor weight, dsh_tensor bias,
                                            dsh_tensor running_mean, dsh_tensor running_var, double momentum, double eps) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  if (input == nullptr || input->dim() < 2) throw std::invalid_argument("SyncBatchNorm: the input must be [N, C, *]");
  auto opt = [](dsh_tensor t) { return t == nullptr ? at::Tensor() : *t; };
  return dsh::wrap(SyncBatchNormFn::apply(*input, opt(weight), opt(bias), opt(running_mean), opt(running_var), momentum, eps,
                                          *static_cast<GroupPtr*>(group)));
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

// The milliseconds this thread spent in SyncBatchNorm's all-reduces (forward and backward, blocking the step) since
// the last call; resets the count. -1 on error.
DSH_API double dsh_dist_sync_batch_norm_take_wait_ms() {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  const double ms = wait_ms;
  wait_ms = 0;
  return ms;
#else
  return 0;
#endif
  DSH_CATCH(-1)
}
