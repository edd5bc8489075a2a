// Shared pieces of the shim: the handle type, the error channel and the try/catch wrapper.
// Every exported function is extern "C", catches everything, and reports failure by its return value
// (a null handle or -1) with the message in a thread-local string read by dsh_last_error().
#pragma once
#include <torch/torch.h>
#include <ATen/ATen.h>
#include <string>
#include <cstdint>

#define DSH_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* dsh_tensor;  // owned handle: new'd here, freed by dsh_tensor_free

namespace dsh {
void set_error(const char* msg);
inline dsh_tensor wrap(at::Tensor&& t) { return new at::Tensor(std::move(t)); }
inline dsh_tensor wrap(const at::Tensor& t) { return new at::Tensor(t); }
at::IntArrayRef dims(const int64_t* p, int n);
}  // namespace dsh

// A scalar crossing the boundary: kind 0 = double, 1 = int64, 2 = bool.
struct dsh_scalar {
  int32_t kind;
  int32_t pad;
  int64_t i;
  double d;
};
inline at::Scalar to_scalar(dsh_scalar s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.d);
  }
}

#define DSH_TRY try {
#define DSH_CATCH(ret)                                              \
  }                                                                 \
  catch (const c10::Error& e) {                                     \
    dsh::set_error(e.what_without_backtrace());                     \
    return ret;                                                     \
  }                                                                 \
  catch (const std::exception& e) {                                 \
    dsh::set_error(e.what());                                       \
    return ret;                                                     \
  }                                                                 \
  catch (...) {                                                     \
    dsh::set_error("unknown C++ exception in libtorch");            \
    return ret;                                                     \
  }
