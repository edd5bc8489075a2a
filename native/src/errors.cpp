// The error channel: one thread-local message per calling thread.
#include "common.h"

namespace {
thread_local std::string g_last_error;
const char* const kUnrecorded = "(the error message could not be recorded: out of memory)";
thread_local bool g_unrecorded = false;
}

namespace dsh {
// Called inside catch handlers: must not throw itself (a failed allocation leaves a fixed message instead).
void set_error(const char* msg) noexcept {
  try {
    g_last_error = msg ? msg : "(no message)";
    g_unrecorded = false;
  } catch (...) {
    g_unrecorded = true;
  }
}
at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
}  // namespace dsh

DSH_API const char* dsh_last_error() {
  DSH_TRY return g_unrecorded ? kUnrecorded : g_last_error.c_str();
  DSH_CATCH(kUnrecorded)
}
