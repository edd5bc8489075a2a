// Process-wide settings: threads, seeds, generators, devices and build facts.
#include "common.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <dlfcn.h>

// OpenBLAS (Debian's libtorch does its float32 matrix products through it) keeps its own pthread pool sized to the
// cores, which at::set_num_threads does not touch (it sets OpenMP's and MKL's): without this a "1 thread" float32 run
// multiplied matrices on every core (DETR-R50's training step: 2.5x its wall time in CPU time at --threads 1). Found
// at run time, so a build against another BLAS simply has none to set.
using blas_threads_fn = void (*)(int);
using blas_get_threads_fn = int (*)();
static blas_threads_fn openblas_setter() {
  static auto fn = reinterpret_cast<blas_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return fn;
}

DSH_API int dsh_set_num_threads(int n) {
  DSH_TRY at::set_num_threads(n);
  if (auto set = openblas_setter()) set(n);
  return 0;
  DSH_CATCH(-1)
}
// OpenBLAS's thread count, or -1 where the process has no OpenBLAS.
DSH_API int dsh_blas_num_threads() {
  DSH_TRY static auto get = reinterpret_cast<blas_get_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
  DSH_CATCH(-1)
}
DSH_API int dsh_get_num_threads() {
  DSH_TRY return at::get_num_threads();
  DSH_CATCH(-1)
}
DSH_API int dsh_set_num_interop_threads(int n) {
  DSH_TRY at::set_num_interop_threads(n);
  return 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_manual_seed(int64_t seed) {
  DSH_TRY torch::manual_seed(static_cast<uint64_t>(seed));
  return 0;
  DSH_CATCH(-1)
}
// 1 or 0; -1 on error.
DSH_API int dsh_cuda_is_available() {
  DSH_TRY return torch::cuda::is_available() ? 1 : 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_cuda_device_count() {
  DSH_TRY return static_cast<int>(torch::cuda::device_count());
  DSH_CATCH(-1)
}
DSH_API int dsh_has_backend(int device_type) {
  DSH_TRY return at::hasCUDA() && device_type == static_cast<int>(at::kCUDA) ? 1 : (device_type == 0 ? 1 : 0);
  DSH_CATCH(0)
}
DSH_API const char* dsh_version() {
  DSH_TRY static const std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                       "." + std::to_string(TORCH_VERSION_PATCH);
  return v.c_str();
  DSH_CATCH(nullptr)
}
DSH_API const char* dsh_parallel_info() {
  DSH_TRY static thread_local std::string s;
  s = at::get_parallel_info();
  return s.c_str();
  DSH_CATCH(nullptr)
}

// Generators: owned handles to at::Generator (CPU by default; device_type 1 = CUDA).
typedef at::Generator* dsh_generator;
DSH_API dsh_generator dsh_generator_new(int64_t seed, int device_type) {
  DSH_TRY if (device_type == static_cast<int>(at::kCUDA)) {
    TORCH_CHECK(false, "CUDA generators are not supported by this shim");
  }
  auto g = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed));
  return new at::Generator(std::move(g));
  DSH_CATCH(nullptr)
}
DSH_API dsh_generator dsh_generator_default() {
  DSH_TRY return new at::Generator(at::detail::getDefaultCPUGenerator());
  DSH_CATCH(nullptr)
}
DSH_API void dsh_generator_free(dsh_generator g) {
  DSH_TRY delete g;
  DSH_CATCH_VOID()
}
DSH_API int dsh_generator_manual_seed(dsh_generator g, int64_t seed) {
  DSH_TRY std::lock_guard<std::mutex> lock(g->mutex());
  g->set_current_seed(static_cast<uint64_t>(seed));
  return 0;
  DSH_CATCH(-1)
}
// The seed into *out (every int64 is a valid seed, so the status is separate): 0, or -1 on error.
DSH_API int dsh_generator_initial_seed(dsh_generator g, int64_t* out) {
  DSH_TRY *out = static_cast<int64_t>(g->current_seed());
  return 0;
  DSH_CATCH(-1)
}
DSH_API dsh_tensor dsh_generator_get_state(dsh_generator g) {
  DSH_TRY std::lock_guard<std::mutex> lock(g->mutex());
  return dsh::wrap(g->get_state());
  DSH_CATCH(nullptr)
}
DSH_API int dsh_generator_set_state(dsh_generator g, dsh_tensor state) {
  DSH_TRY std::lock_guard<std::mutex> lock(g->mutex());
  g->set_state(*state);
  return 0;
  DSH_CATCH(-1)
}
