// The error channel: one thread-local message per calling thread.
#include "common.h"

namespace {
thread_local std::string g_last_error;
}

namespace dsh {
void set_error(const char* msg) { g_last_error = msg ? msg : "(no message)"; }
at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
}  // namespace dsh

DSH_API const char* dsh_last_error() { return g_last_error.c_str(); }
