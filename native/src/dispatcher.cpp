// Boxed calls of any ATen operator by schema name through c10::Dispatcher. Managed code looks an
// operator up once (dsh_op_find) and calls it with tagged arguments; missing trailing or keyword
// arguments take the schema's defaults. Autograd applies as for any other call.
#include "abi.h"
#include <ATen/core/dispatch/Dispatcher.h>
#include <cstdlib>

namespace {
c10::IValue to_ivalue(const dsh_arg& a) {
  switch (a.kind) {
    case kNone: return c10::IValue();
    case kTensor: return a.p ? c10::IValue(*static_cast<const at::Tensor*>(a.p)) : c10::IValue();
    case kInt: return c10::IValue(a.i);
    case kDouble: return c10::IValue(a.d);
    case kBool: return c10::IValue(a.i != 0);
    case kIntList: {
      auto p = static_cast<const int64_t*>(a.p);
      return c10::IValue(std::vector<int64_t>(p, p + a.n));
    }
    case kDoubleList: {
      auto p = static_cast<const double*>(a.p);
      return c10::IValue(std::vector<double>(p, p + a.n));
    }
    case kBoolList: {
      auto p = static_cast<const uint8_t*>(a.p);
      c10::List<bool> l;
      for (int k = 0; k < a.n; ++k) l.push_back(p[k] != 0);
      return c10::IValue(l);
    }
    case kTensorList: {
      auto p = static_cast<at::Tensor* const*>(a.p);
      c10::List<at::Tensor> l;
      l.reserve(a.n);
      for (int k = 0; k < a.n; ++k) l.push_back(*p[k]);
      return c10::IValue(l);
    }
    case kOptTensorList: {
      auto p = static_cast<at::Tensor* const*>(a.p);
      c10::List<c10::optional<at::Tensor>> l;
      l.reserve(a.n);
      for (int k = 0; k < a.n; ++k) l.push_back(p[k] ? c10::optional<at::Tensor>(*p[k]) : c10::nullopt);
      return c10::IValue(l);
    }
    case kString: return c10::IValue(std::string(static_cast<const char*>(a.p)));
    case kScalarType: return c10::IValue(a.i);
    case kMemoryFormat: return c10::IValue(a.i);
    case kLayout: return c10::IValue(a.i);
    case kDevice:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(a.i), static_cast<c10::DeviceIndex>(a.n)));
    case kGenerator: return a.p ? c10::IValue(*static_cast<const at::Generator*>(a.p)) : c10::IValue();
  }
  TORCH_CHECK(false, "unknown argument kind ", a.kind);
}

void from_ivalue(c10::IValue&& v, dsh_out& o) {
  o = dsh_out{0, 0, 0, 0.0, nullptr};
  if (v.isNone()) return;
  if (v.isTensor()) {
    at::Tensor t = std::move(v).toTensor();
    o.kind = kTensor;
    o.p = t.defined() ? dsh::wrap(std::move(t)) : nullptr;
  } else if (v.isInt()) { o.kind = kInt; o.i = v.toInt(); o.d = static_cast<double>(o.i); }
  else if (v.isDouble()) { o.kind = kDouble; o.d = v.toDouble(); }
  else if (v.isBool()) { o.kind = kBool; o.i = v.toBool(); }
  else if (v.isTensorList()) {
    auto l = v.toTensorList();
    o.kind = kTensorList;
    o.n = static_cast<int32_t>(l.size());
    auto arr = static_cast<at::Tensor**>(std::malloc(sizeof(at::Tensor*) * (l.size() + 1)));
    for (size_t k = 0; k < l.size(); ++k) arr[k] = dsh::wrap(l.get(k));
    o.p = arr;
  } else if (v.isIntList()) {
    auto l = v.toIntVector();
    o.kind = kIntList;
    o.n = static_cast<int32_t>(l.size());
    auto arr = static_cast<int64_t*>(std::malloc(sizeof(int64_t) * (l.size() + 1)));
    for (size_t k = 0; k < l.size(); ++k) arr[k] = l[k];
    o.p = arr;
  } else if (v.isScalar()) {
    auto s = v.toScalar();
    if (s.isIntegral(false)) { o.kind = kInt; o.i = s.toLong(); } else { o.kind = kDouble; o.d = s.toDouble(); }
  } else {
    TORCH_CHECK(false, "unsupported return type ", v.tagKind());
  }
}
}  // namespace

// The operator "aten::name" with the overload name ("" for the default), or null if none exists.
DSH_API void* dsh_op_find(const char* name, const char* overload) {
  DSH_TRY auto h = c10::Dispatcher::singleton().findSchema({name, overload ? overload : ""});
  TORCH_CHECK(h.has_value(), "no operator ", name, (overload && *overload) ? "." : "", overload ? overload : "");
  return new c10::OperatorHandle(*h);
  DSH_CATCH(nullptr)
}

// 1 when the dispatcher knows "name" with this overload ("" for the default), 0 when it does not, -1 on error.
// Unlike dsh_op_find, a missing operator is an answer, not an error.
DSH_API int dsh_has_schema(const char* name, const char* overload) {
  DSH_TRY TORCH_CHECK(name != nullptr, "has_schema: no operator name given");
  return c10::Dispatcher::singleton().findSchema({name, overload ? overload : ""}).has_value() ? 1 : 0;
  DSH_CATCH(-1)
}

DSH_API const char* dsh_op_schema(void* op) {
  DSH_TRY static thread_local std::string s;
  std::ostringstream os;
  os << static_cast<c10::OperatorHandle*>(op)->schema();
  s = os.str();
  return s.c_str();
  DSH_CATCH(nullptr)
}

// Calls the operator; returns the number of outputs written (at most max_outs) or -1 on error.
DSH_API int dsh_op_call(void* op, const dsh_arg* args, int nargs, dsh_out* outs, int max_outs) {
  DSH_TRY auto& handle = *static_cast<c10::OperatorHandle*>(op);
  const auto& schema = handle.schema();
  const auto& formals = schema.arguments();
  const size_t nf = formals.size();
  std::vector<c10::IValue> slots(nf);
  std::vector<char> given(nf, 0);
  size_t pos = 0;
  for (int k = 0; k < nargs; ++k) {
    size_t idx = pos;
    if (args[k].name) {
      idx = nf;
      for (size_t f = 0; f < nf; ++f)
        if (formals[f].name() == args[k].name) { idx = f; break; }
      TORCH_CHECK(idx < nf, schema.name(), " has no argument named '", args[k].name, "'");
    } else {
      TORCH_CHECK(pos < nf, schema.name(), " takes ", nf, " arguments but more were given");
      ++pos;
    }
    slots[idx] = to_ivalue(args[k]);
    given[idx] = 1;
  }
  for (size_t f = 0; f < nf; ++f) {
    if (given[f]) continue;
    if (formals[f].default_value()) slots[f] = *formals[f].default_value();
    else if (formals[f].type()->kind() == c10::TypeKind::OptionalType) slots[f] = c10::IValue();
    else TORCH_CHECK(false, schema.name(), ": argument '", formals[f].name(), "' is required");
  }
  torch::jit::Stack stack(std::make_move_iterator(slots.begin()), std::make_move_iterator(slots.end()));
  handle.callBoxed(stack);
  int n = static_cast<int>(stack.size());
  TORCH_CHECK(n <= max_outs, schema.name(), " returned ", n, " values, more than the ", max_outs, " expected");
  for (int k = 0; k < n; ++k) from_ivalue(std::move(stack[k]), outs[k]);
  return n;
  DSH_CATCH(-1)
}

DSH_API void dsh_free(void* p) {
  DSH_TRY std::free(p);
  DSH_CATCH_VOID()
}
