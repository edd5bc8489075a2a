// Typed tensor creation with full options (dtype, device, requires_grad).
#include "common.h"

namespace {
at::TensorOptions opts(int dtype, int device_type, int device_index, int requires_grad) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)))
      .requires_grad(requires_grad != 0);
}
}  // namespace

#define DSH_CREATE(fn, expr)                                                                                 \
  DSH_API dsh_tensor fn(const int64_t* shape, int ndim, int dtype, int dev, int devi, int rg) {             \
    DSH_TRY auto size = dsh::dims(shape, ndim);                                                              \
    auto o = opts(dtype, dev, devi, rg);                                                                     \
    return dsh::wrap(expr);                                                                                  \
    DSH_CATCH(nullptr)                                                                                       \
  }

DSH_CREATE(dsh_empty, torch::empty(size, o))
DSH_CREATE(dsh_zeros, torch::zeros(size, o))
DSH_CREATE(dsh_ones, torch::ones(size, o))

DSH_API dsh_tensor dsh_full(const int64_t* shape, int ndim, dsh_scalar value, int dtype, int dev, int devi, int rg) {
  DSH_TRY return dsh::wrap(torch::full(dsh::dims(shape, ndim), to_scalar(value), opts(dtype, dev, devi, rg)));
  DSH_CATCH(nullptr)
}

// rand (kind 0), randn (kind 1), optionally from a generator.
DSH_API dsh_tensor dsh_random(int kind, const int64_t* shape, int ndim, at::Generator* gen, int dtype, int dev, int devi,
                              int rg) {
  DSH_TRY auto size = dsh::dims(shape, ndim);
  c10::optional<at::Generator> g = gen ? c10::optional<at::Generator>(*gen) : c10::nullopt;
  auto o = opts(dtype, dev, devi, 0);
  at::Tensor t = kind == 0 ? at::rand(size, g, o) : at::randn(size, g, o);
  if (rg) t.set_requires_grad(true);
  return dsh::wrap(std::move(t));
  DSH_CATCH(nullptr)
}

// A strided view over another tensor's storage.
DSH_API dsh_tensor dsh_as_strided(dsh_tensor t, const int64_t* size, const int64_t* stride, int ndim, int64_t offset) {
  DSH_TRY return dsh::wrap(t->as_strided(dsh::dims(size, ndim), dsh::dims(stride, ndim), offset));
  DSH_CATCH(nullptr)
}

DSH_API dsh_tensor dsh_to(dsh_tensor t, int dtype, int dev, int devi, int non_blocking, int copy) {
  DSH_TRY auto o = at::TensorOptions()
                       .dtype(static_cast<at::ScalarType>(dtype))
                       .device(c10::Device(static_cast<c10::DeviceType>(dev), static_cast<c10::DeviceIndex>(devi)));
  return dsh::wrap(t->to(o, non_blocking != 0, copy != 0));
  DSH_CATCH(nullptr)
}
