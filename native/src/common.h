// Shared pieces of the shim: the handle type, the error channel and the try/catch wrapper.
// Every exported function is extern "C", runs its whole body inside DSH_TRY ... DSH_CATCH (no C++ exception may
// cross the C ABI: that would terminate the process), and reports failure by its return value (a null handle, -1,
// or the sentinel its comment names) with the message in a thread-local string read by dsh_last_error().
// A null result that is NOT an error (no gradient, empty storage) is never signalled by a null handle alone: such
// functions return a status and write the handle to an out-parameter. tests/DetrSharp.Torch.Tests/Native:
// NativeExportTests checks the first rule over these sources, ShimErrorTests the second (grad, data pointers, seeds).
#pragma once
#include <torch/torch.h>
#include <ATen/ATen.h>
#include <string>
#include <cstdint>

#define DSH_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* dsh_tensor;  // owned handle: new'd here, freed by dsh_tensor_free

namespace dsh {
void set_error(const char* msg) noexcept;
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
// For functions with nothing to return (frees): the error is recorded and the call returns.
#define DSH_CATCH_VOID()                                            \
  }                                                                 \
  catch (const c10::Error& e) {                                     \
    dsh::set_error(e.what_without_backtrace());                     \
  }                                                                 \
  catch (const std::exception& e) {                                 \
    dsh::set_error(e.what());                                       \
  }                                                                 \
  catch (...) {                                                     \
    dsh::set_error("unknown C++ exception in libtorch");            \
  }
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
