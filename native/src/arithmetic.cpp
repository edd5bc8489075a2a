// Typed entry points for the hottest element-wise ops, so a training step's many small calls
// cost one plain call each (no boxing). Everything else goes through dsh_op_call.
#include "common.h"

#define DSH_BINARY(name, expr)                                         \
  DSH_API dsh_tensor name(dsh_tensor a, dsh_tensor b) {                \
    DSH_TRY return dsh::wrap(expr);                                    \
    DSH_CATCH(nullptr)                                                 \
  }
#define DSH_BINARY_INPLACE(name, expr)                                 \
  DSH_API int name(dsh_tensor a, dsh_tensor b) {                       \
    DSH_TRY expr;                                                      \
    return 0;                                                          \
    DSH_CATCH(-1)                                                      \
  }
#define DSH_SCALAR(name, expr)                                         \
  DSH_API dsh_tensor name(dsh_tensor a, dsh_scalar s) {                \
    DSH_TRY auto b = to_scalar(s);                                     \
    return dsh::wrap(expr);                                            \
    DSH_CATCH(nullptr)                                                 \
  }
#define DSH_SCALAR_INPLACE(name, expr)                                 \
  DSH_API int name(dsh_tensor a, dsh_scalar s) {                       \
    DSH_TRY auto b = to_scalar(s);                                     \
    expr;                                                              \
    return 0;                                                          \
    DSH_CATCH(-1)                                                      \
  }
#define DSH_UNARY(name, expr)                                          \
  DSH_API dsh_tensor name(dsh_tensor a) {                              \
    DSH_TRY return dsh::wrap(expr);                                    \
    DSH_CATCH(nullptr)                                                 \
  }

DSH_API dsh_tensor dsh_add(dsh_tensor a, dsh_tensor b, dsh_scalar alpha) {
  DSH_TRY return dsh::wrap(at::add(*a, *b, to_scalar(alpha)));
  DSH_CATCH(nullptr)
}
DSH_API int dsh_add_(dsh_tensor a, dsh_tensor b, dsh_scalar alpha) {
  DSH_TRY a->add_(*b, to_scalar(alpha));
  return 0;
  DSH_CATCH(-1)
}
DSH_API dsh_tensor dsh_sub(dsh_tensor a, dsh_tensor b, dsh_scalar alpha) {
  DSH_TRY return dsh::wrap(at::sub(*a, *b, to_scalar(alpha)));
  DSH_CATCH(nullptr)
}
DSH_API int dsh_sub_(dsh_tensor a, dsh_tensor b, dsh_scalar alpha) {
  DSH_TRY a->sub_(*b, to_scalar(alpha));
  return 0;
  DSH_CATCH(-1)
}
DSH_BINARY(dsh_mul, at::mul(*a, *b))
DSH_BINARY(dsh_div, at::div(*a, *b))
DSH_BINARY(dsh_matmul, at::matmul(*a, *b))
DSH_BINARY(dsh_eq, at::eq(*a, *b))
DSH_BINARY(dsh_ne, at::ne(*a, *b))
DSH_BINARY(dsh_lt, at::lt(*a, *b))
DSH_BINARY(dsh_le, at::le(*a, *b))
DSH_BINARY(dsh_gt, at::gt(*a, *b))
DSH_BINARY(dsh_ge, at::ge(*a, *b))
DSH_BINARY(dsh_maximum, at::maximum(*a, *b))
DSH_BINARY(dsh_minimum, at::minimum(*a, *b))
DSH_BINARY(dsh_pow, at::pow(*a, *b))
DSH_BINARY(dsh_logical_and, at::logical_and(*a, *b))
DSH_BINARY(dsh_logical_or, at::logical_or(*a, *b))
DSH_BINARY_INPLACE(dsh_mul_, a->mul_(*b))
DSH_BINARY_INPLACE(dsh_div_, a->div_(*b))
DSH_BINARY_INPLACE(dsh_copy_, a->copy_(*b))

DSH_SCALAR(dsh_add_scalar, at::add(*a, b))
DSH_SCALAR(dsh_sub_scalar, at::sub(*a, b))
DSH_SCALAR(dsh_rsub_scalar, at::rsub(*a, b))
DSH_SCALAR(dsh_mul_scalar, at::mul(*a, b))
DSH_SCALAR(dsh_div_scalar, at::div(*a, b))
DSH_SCALAR(dsh_pow_scalar, at::pow(*a, b))
DSH_SCALAR(dsh_eq_scalar, at::eq(*a, b))
DSH_SCALAR(dsh_ne_scalar, at::ne(*a, b))
DSH_SCALAR(dsh_lt_scalar, at::lt(*a, b))
DSH_SCALAR(dsh_le_scalar, at::le(*a, b))
DSH_SCALAR(dsh_gt_scalar, at::gt(*a, b))
DSH_SCALAR(dsh_ge_scalar, at::ge(*a, b))
DSH_SCALAR_INPLACE(dsh_add_scalar_, a->add_(b))
DSH_SCALAR_INPLACE(dsh_sub_scalar_, a->sub_(b))
DSH_SCALAR_INPLACE(dsh_mul_scalar_, a->mul_(b))
DSH_SCALAR_INPLACE(dsh_div_scalar_, a->div_(b))
DSH_SCALAR_INPLACE(dsh_fill_, a->fill_(b))

DSH_UNARY(dsh_neg, at::neg(*a))
DSH_UNARY(dsh_contiguous, a->contiguous())
DSH_UNARY(dsh_clone, a->clone())
DSH_UNARY(dsh_sigmoid, at::sigmoid(*a))
DSH_UNARY(dsh_relu, at::relu(*a))
DSH_UNARY(dsh_exp, at::exp(*a))
DSH_UNARY(dsh_log, at::log(*a))
DSH_UNARY(dsh_sqrt, at::sqrt(*a))
DSH_UNARY(dsh_abs, at::abs(*a))
DSH_UNARY(dsh_logical_not, at::logical_not(*a))
DSH_API int dsh_zero_(dsh_tensor a) {
  DSH_TRY a->zero_();
  return 0;
  DSH_CATCH(-1)
}

// Views used on every step: view/reshape/permute/transpose/select/narrow/unsqueeze.
DSH_API dsh_tensor dsh_view(dsh_tensor a, const int64_t* shape, int n) {
  DSH_TRY return dsh::wrap(a->view(dsh::dims(shape, n)));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_reshape(dsh_tensor a, const int64_t* shape, int n) {
  DSH_TRY return dsh::wrap(a->reshape(dsh::dims(shape, n)));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_permute(dsh_tensor a, const int64_t* dims, int n) {
  DSH_TRY return dsh::wrap(a->permute(dsh::dims(dims, n)));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_expand(dsh_tensor a, const int64_t* shape, int n) {
  DSH_TRY return dsh::wrap(a->expand(dsh::dims(shape, n)));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_transpose(dsh_tensor a, int64_t d0, int64_t d1) {
  DSH_TRY return dsh::wrap(a->transpose(d0, d1));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_select(dsh_tensor a, int64_t dim, int64_t index) {
  DSH_TRY return dsh::wrap(a->select(dim, index));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_slice(dsh_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  DSH_TRY return dsh::wrap(a->slice(dim, start, end, step));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_unsqueeze(dsh_tensor a, int64_t dim) {
  DSH_TRY return dsh::wrap(a->unsqueeze(dim));
  DSH_CATCH(nullptr)
}
DSH_API dsh_tensor dsh_squeeze(dsh_tensor a, int64_t dim) {
  DSH_TRY return dsh::wrap(a->squeeze(dim));
  DSH_CATCH(nullptr)
}
