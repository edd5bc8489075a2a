// The structs and enum shared with the managed side (src/DetrSharp.Torch/Dispatch/Arg.cs, Native/NativeMethods.cs).
// Their layouts and values are reported by dsh_abi_info (abi.cpp) and compared with the C# definitions by
// tests/DetrSharp.Torch.Tests/Native/AbiTests.cs: change both sides together.
#pragma once
#include "common.h"

// One tagged argument of a boxed operator call (C#: OpArg).
struct dsh_arg {
  int32_t kind;  // see ArgKind
  int32_t n;     // list length
  int64_t i;
  double d;
  const void* p;
  const char* name;  // keyword name, or null for the next positional slot
};
// One result of a boxed operator call (C#: OpOut).
struct dsh_out {
  int32_t kind;
  int32_t n;
  int64_t i;
  double d;
  void* p;
};
// What a dsh_arg / dsh_out holds (C#: Dispatch.ArgKind).
enum ArgKind {
  kNone = 0, kTensor = 1, kInt = 2, kDouble = 3, kBool = 4, kIntList = 5, kTensorList = 6, kString = 7,
  kScalarType = 8, kDevice = 9, kDoubleList = 10, kOptTensorList = 11, kBoolList = 12, kGenerator = 13,
  kMemoryFormat = 14, kLayout = 15,
};

