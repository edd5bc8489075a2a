// Tensor handles: lifetime, metadata, raw data access, printing and scalar extraction.
#include "common.h"
#include <sstream>
#include <cstring>

DSH_API void dsh_tensor_free(dsh_tensor t) {
  DSH_TRY delete t;
  DSH_CATCH_VOID()
}

DSH_API dsh_tensor dsh_tensor_alias(dsh_tensor t) {
  DSH_TRY return dsh::wrap(*t);
  DSH_CATCH(nullptr)
}

// Metadata getters: the value, or -1 on error (none of them can be negative otherwise).
DSH_API int64_t dsh_tensor_dim(dsh_tensor t) {
  DSH_TRY return t->dim();
  DSH_CATCH(-1)
}

// Copies the sizes (or strides) into out, which holds at least dim() values.
DSH_API int dsh_tensor_sizes(dsh_tensor t, int64_t* out) {
  DSH_TRY auto s = t->sizes();
  std::memcpy(out, s.data(), s.size() * sizeof(int64_t));
  return static_cast<int>(s.size());
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_strides(dsh_tensor t, int64_t* out) {
  DSH_TRY auto s = t->strides();
  std::memcpy(out, s.data(), s.size() * sizeof(int64_t));
  return static_cast<int>(s.size());
  DSH_CATCH(-1)
}
DSH_API int64_t dsh_tensor_size(dsh_tensor t, int64_t dim) {
  DSH_TRY return t->size(dim);
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_dtype(dsh_tensor t) {
  DSH_TRY return static_cast<int>(t->scalar_type());
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_device_type(dsh_tensor t) {
  DSH_TRY return static_cast<int>(t->device().type());
  DSH_CATCH(-1)
}
// The device index: -1 means "no index" (the CPU), so an error is -2.
DSH_API int dsh_tensor_device_index(dsh_tensor t) {
  DSH_TRY return t->device().index();
  DSH_CATCH(-2)
}
DSH_API int64_t dsh_tensor_numel(dsh_tensor t) {
  DSH_TRY return t->numel();
  DSH_CATCH(-1)
}
DSH_API int64_t dsh_tensor_element_size(dsh_tensor t) {
  DSH_TRY return static_cast<int64_t>(t->element_size());
  DSH_CATCH(-1)
}
DSH_API int64_t dsh_tensor_storage_offset(dsh_tensor t) {
  DSH_TRY return t->storage_offset();
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_is_contiguous(dsh_tensor t) {
  DSH_TRY return t->is_contiguous() ? 1 : 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_defined(dsh_tensor t) {
  DSH_TRY return t->defined() ? 1 : 0;
  DSH_CATCH(-1)
}

// The address of the first element (data_ptr) or of the storage (storage_ptr) into *out; 0 on success, -1 on error.
// A null address is a valid answer (a tensor without elements), hence the separate status.
DSH_API int dsh_tensor_data_ptr(dsh_tensor t, void** out) {
  DSH_TRY *out = nullptr;
  *out = t->data_ptr();
  return 0;
  DSH_CATCH(-1)
}
DSH_API int dsh_tensor_storage_ptr(dsh_tensor t, void** out) {
  DSH_TRY *out = nullptr;
  // storage().data() is const void* from PyTorch 2.1 on; the DataPtr's get() is void* in 1.13 and 2.x alike.
  *out = t->storage().data_ptr().get();
  return 0;
  DSH_CATCH(-1)
}
DSH_API int64_t dsh_tensor_storage_nbytes(dsh_tensor t) {
  DSH_TRY return static_cast<int64_t>(t->storage().nbytes());
  DSH_CATCH(-1)
}

// A new contiguous tensor of the given shape and dtype holding a copy of nbytes from data.
DSH_API dsh_tensor dsh_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int dtype) {
  DSH_TRY auto t = at::empty(dsh::dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
  TORCH_CHECK(need == nbytes, "from_data: shape needs ", need, " bytes but ", nbytes, " were given");
  if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
  return dsh::wrap(std::move(t));
  DSH_CATCH(nullptr)
}

// Copies a tensor's values, in row-major order, into out (nbytes must equal numel * element size).
// Works for any device, layout or strides; converts nothing.
DSH_API int dsh_tensor_copy_to(dsh_tensor t, void* out, int64_t nbytes) {
  DSH_TRY at::Tensor c = t->device().is_cpu() ? t->contiguous() : t->to(at::kCPU).contiguous();
  int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
  TORCH_CHECK(need == nbytes, "copy_to: tensor has ", need, " bytes but the buffer holds ", nbytes);
  if (nbytes > 0) std::memcpy(out, c.data_ptr(), static_cast<size_t>(nbytes));
  return 0;
  DSH_CATCH(-1)
}

// Copies nbytes from data into a contiguous CPU tensor, in place.
DSH_API int dsh_tensor_copy_from(dsh_tensor t, const void* data, int64_t nbytes) {
  DSH_TRY TORCH_CHECK(t->is_contiguous() && t->device().is_cpu(), "copy_from needs a contiguous CPU tensor");
  int64_t need = t->numel() * static_cast<int64_t>(t->element_size());
  TORCH_CHECK(need == nbytes, "copy_from: tensor has ", need, " bytes but ", nbytes, " were given");
  if (nbytes > 0) std::memcpy(t->data_ptr(), data, static_cast<size_t>(nbytes));
  return 0;
  DSH_CATCH(-1)
}

DSH_API int dsh_tensor_item(dsh_tensor t, dsh_scalar* out) {
  DSH_TRY at::Scalar s = t->item();
  if (s.isBoolean()) { out->kind = 2; out->i = s.toBool(); out->d = s.toBool(); }
  else if (s.isIntegral(false)) { out->kind = 1; out->i = s.toLong(); out->d = static_cast<double>(out->i); }
  else { out->kind = 0; out->d = s.toDouble(); out->i = static_cast<int64_t>(out->d); }
  return 0;
  DSH_CATCH(-1)
}

// libtorch's own printout of the values; the string is valid until the next call on this thread.
DSH_API const char* dsh_tensor_to_string(dsh_tensor t) {
  DSH_TRY static thread_local std::string s;
  std::ostringstream os;
  os << *t;
  s = os.str();
  return s.c_str();
  DSH_CATCH(nullptr)
}
