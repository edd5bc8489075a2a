// What the managed side must agree with: sizes and field offsets of the structs crossing the boundary and the values
// of the enums both sides number. One "key=value" line each:
//   sizeof:<struct>=N, offsetof:<struct>.<field>=N, enum:<enum>.<name>=N
// tests/DetrSharp.Torch.Tests/Native/AbiTests.cs compares every line with the C# definitions.
#include "abi.h"
#include <cstddef>
#include <sstream>

namespace {
std::string build_abi_info() {
  std::ostringstream os;
  auto size = [&](const char* s, size_t n) { os << "sizeof:" << s << "=" << n << "\n"; };
  auto field = [&](const char* s, const char* f, size_t n) { os << "offsetof:" << s << "." << f << "=" << n << "\n"; };
  auto value = [&](const char* e, const char* name, int64_t v) { os << "enum:" << e << "." << name << "=" << v << "\n"; };

  size("dsh_scalar", sizeof(dsh_scalar));
  field("dsh_scalar", "kind", offsetof(dsh_scalar, kind));
  field("dsh_scalar", "pad", offsetof(dsh_scalar, pad));
  field("dsh_scalar", "i", offsetof(dsh_scalar, i));
  field("dsh_scalar", "d", offsetof(dsh_scalar, d));

  size("dsh_arg", sizeof(dsh_arg));
  field("dsh_arg", "kind", offsetof(dsh_arg, kind));
  field("dsh_arg", "n", offsetof(dsh_arg, n));
  field("dsh_arg", "i", offsetof(dsh_arg, i));
  field("dsh_arg", "d", offsetof(dsh_arg, d));
  field("dsh_arg", "p", offsetof(dsh_arg, p));
  field("dsh_arg", "name", offsetof(dsh_arg, name));

  size("dsh_out", sizeof(dsh_out));
  field("dsh_out", "kind", offsetof(dsh_out, kind));
  field("dsh_out", "n", offsetof(dsh_out, n));
  field("dsh_out", "i", offsetof(dsh_out, i));
  field("dsh_out", "d", offsetof(dsh_out, d));
  field("dsh_out", "p", offsetof(dsh_out, p));

  value("ArgKind", "None", kNone);
  value("ArgKind", "Tensor", kTensor);
  value("ArgKind", "Int", kInt);
  value("ArgKind", "Double", kDouble);
  value("ArgKind", "Bool", kBool);
  value("ArgKind", "IntList", kIntList);
  value("ArgKind", "TensorList", kTensorList);
  value("ArgKind", "String", kString);
  value("ArgKind", "ScalarType", kScalarType);
  value("ArgKind", "Device", kDevice);
  value("ArgKind", "DoubleList", kDoubleList);
  value("ArgKind", "OptTensorList", kOptTensorList);
  value("ArgKind", "BoolList", kBoolList);
  value("ArgKind", "Generator", kGenerator);
  value("ArgKind", "MemoryFormat", kMemoryFormat);
  value("ArgKind", "Layout", kLayout);

  // dsh_scalar.kind (common.h to_scalar, tensor.cpp dsh_tensor_item).
  value("ScalarKind", "Double", 0);
  value("ScalarKind", "Int64", 1);
  value("ScalarKind", "Bool", 2);

  // c10's numbering of element types and devices, which the C# ScalarType and DeviceType enums restate.
  // Types c10::toString has no name for (some libtorch versions) are left out, so every key stays unique.
  for (int k = 0; k < static_cast<int>(at::ScalarType::NumOptions); ++k) {
    const std::string name = c10::toString(static_cast<at::ScalarType>(k));
    if (name.rfind("UNKNOWN", 0) != 0) value("c10::ScalarType", name.c_str(), k);
  }
  value("c10::DeviceType", "CPU", static_cast<int>(at::kCPU));
  value("c10::DeviceType", "CUDA", static_cast<int>(at::kCUDA));
  return os.str();
}
}  // namespace

// The lines above, built once; valid for the life of the process.
DSH_API const char* dsh_abi_info() {
  DSH_TRY static const std::string info = build_abi_info();
  return info.c_str();
  DSH_CATCH(nullptr)
}
