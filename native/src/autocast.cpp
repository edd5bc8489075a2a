// Autocast: libtorch's thread-local mixed-precision state (ATen/autocast_mode.h), as torch.autocast drives it.
// device_type is c10's numbering (0 = CPU, 1 = CUDA). The state belongs to the calling thread; the managed scope
// (DetrSharp.Torch AutocastMode) saves it on entry and restores it on exit, as torch.autocast.__enter__/__exit__ do.
#include "common.h"
#include <ATen/autocast_mode.h>

namespace {
void check_device(int device_type) {
  TORCH_CHECK(device_type == static_cast<int>(at::kCPU) || device_type == static_cast<int>(at::kCUDA),
              "autocast supports the CPU and CUDA devices only; got device type ", device_type);
}
}  // namespace

// Enables (1) or disables (0) autocast for the device type on this thread: 0, or -1 on error.
DSH_API int dsh_autocast_set_enabled(int device_type, int enabled) {
  DSH_TRY check_device(device_type);
  if (device_type == static_cast<int>(at::kCPU)) at::autocast::set_cpu_enabled(enabled != 0);
  else at::autocast::set_enabled(enabled != 0);
  return 0;
  DSH_CATCH(-1)
}
// 1 or 0; -1 on error.
DSH_API int dsh_autocast_is_enabled(int device_type) {
  DSH_TRY check_device(device_type);
  bool on = device_type == static_cast<int>(at::kCPU) ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
  return on ? 1 : 0;
  DSH_CATCH(-1)
}
// The lower-precision type autocast casts to on the device type (c10::ScalarType): 0, or -1 on error.
DSH_API int dsh_autocast_set_dtype(int device_type, int dtype) {
  DSH_TRY check_device(device_type);
  auto t = static_cast<at::ScalarType>(dtype);
  TORCH_CHECK(t == at::kBFloat16 || t == at::kHalf, "autocast casts to BFloat16 or Half; got ", c10::toString(t));
  if (device_type == static_cast<int>(at::kCPU)) at::autocast::set_autocast_cpu_dtype(t);
  else at::autocast::set_autocast_gpu_dtype(t);
  return 0;
  DSH_CATCH(-1)
}
// The c10::ScalarType number; -1 on error.
DSH_API int dsh_autocast_get_dtype(int device_type) {
  DSH_TRY check_device(device_type);
  auto t = device_type == static_cast<int>(at::kCPU) ? at::autocast::get_autocast_cpu_dtype()
                                                     : at::autocast::get_autocast_gpu_dtype();
  return static_cast<int>(t);
  DSH_CATCH(-1)
}
// The nesting depth after entering a scope; -1 on error.
DSH_API int dsh_autocast_increment_nesting() {
  DSH_TRY return at::autocast::increment_nesting();
  DSH_CATCH(-1)
}
// The nesting depth after leaving a scope (0: the outermost one left, clear the cache); -1 on error.
DSH_API int dsh_autocast_decrement_nesting() {
  DSH_TRY return at::autocast::decrement_nesting();
  DSH_CATCH(-1)
}
// Frees the casts of leaf weights autocast cached inside the scopes: 0, or -1 on error.
DSH_API int dsh_autocast_clear_cache() {
  DSH_TRY at::autocast::clear_cache();
  return 0;
  DSH_CATCH(-1)
}
// Whether autocast caches the casts of leaf weights (1/0) on this thread: 0, or -1 on error.
DSH_API int dsh_autocast_set_cache_enabled(int enabled) {
  DSH_TRY at::autocast::set_autocast_cache_enabled(enabled != 0);
  return 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_autocast_is_cache_enabled() {
  DSH_TRY return at::autocast::is_autocast_cache_enabled() ? 1 : 0;
  DSH_CATCH(-1)
}
