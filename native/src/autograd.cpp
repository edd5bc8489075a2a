// Autograd: requires_grad, grad, backward, detach and the thread-local grad mode.
#include "common.h"

// 1 or 0; -1 on error.
DSH_API int dsh_requires_grad(dsh_tensor t) {
  DSH_TRY return t->requires_grad() ? 1 : 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_set_requires_grad(dsh_tensor t, int value) {
  DSH_TRY t->set_requires_grad(value != 0);
  return 0;
  DSH_CATCH(-1)
}
// 1 or 0; -1 on error.
DSH_API int dsh_is_leaf(dsh_tensor t) {
  DSH_TRY return t->is_leaf() ? 1 : 0;
  DSH_CATCH(-1)
}

// The accumulated gradient. Returns 1 and a new handle in *out when there is one, 0 and null in *out when there is
// none (not an error), -1 on error. "No gradient" and "failed" are told apart by the status, never by the handle.
DSH_API int dsh_grad(dsh_tensor t, dsh_tensor* out) {
  DSH_TRY *out = nullptr;
  const at::Tensor& g = t->grad();
  if (!g.defined()) return 0;
  *out = dsh::wrap(g);
  return 1;
  DSH_CATCH(-1)
}
DSH_API int dsh_set_grad(dsh_tensor t, dsh_tensor g) {
  DSH_TRY t->mutable_grad() = g ? *g : at::Tensor();
  return 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_backward(dsh_tensor t, dsh_tensor grad, int retain_graph, int create_graph) {
  DSH_TRY t->backward(grad ? *grad : at::Tensor(), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                      create_graph != 0);
  return 0;
  DSH_CATCH(-1)
}
// torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph) for one output. Returns 0 on success
// (out[i] null where inputs[i] gets no gradient: allow_unused), -1 on error.
DSH_API int dsh_autograd_grad(dsh_tensor output, dsh_tensor grad_output, dsh_tensor* inputs, int n, int retain_graph,
                              int create_graph, dsh_tensor* out) {
  DSH_TRY std::vector<at::Tensor> ins;
  for (int i = 0; i < n; ++i) ins.push_back(*inputs[i]);
  std::vector<at::Tensor> gos;
  if (grad_output) gos.push_back(*grad_output);
  auto res = torch::autograd::grad({*output}, ins, gos, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                                   create_graph != 0, true);
  for (int i = 0; i < n; ++i) out[i] = res[i].defined() ? dsh::wrap(std::move(res[i])) : nullptr;
  return 0;
  DSH_CATCH(-1)
}
DSH_API dsh_tensor dsh_detach(dsh_tensor t) {
  DSH_TRY return dsh::wrap(t->detach());
  DSH_CATCH(nullptr)
}
// 1 or 0; -1 on error.
DSH_API int dsh_grad_enabled() {
  DSH_TRY return c10::GradMode::is_enabled() ? 1 : 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_set_grad_enabled(int enabled) {
  DSH_TRY c10::GradMode::set_enabled(enabled != 0);
  return 0;
  DSH_CATCH(-1)
}
