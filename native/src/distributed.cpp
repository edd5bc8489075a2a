// Distributed data parallel through libtorch's own engine (c10d): a TCPStore for the rendezvous (torchrun's
// MASTER_ADDR/MASTER_PORT) and a ProcessGroupGloo over it for CPU tensors. The collectives the trainer needs take a
// list of tensors and treat it as one flattened bucket: one all-reduce per bucket, not one per parameter.
// Built only when gloo's headers are found (DSH_WITH_GLOO, set by CMakeLists.txt; not libtorch's USE_C10D_GLOO, which
// its CMake config defines whether or not they are here); otherwise every export reports that distributed training is
// not available in this build.
// Handles: dsh_store = c10::intrusive_ptr<c10d::Store>*, dsh_pg = c10::intrusive_ptr<c10d::ProcessGroup>*,
// dsh_work = PendingAllreduce* (an all-reduce in flight and the tensors it writes back to).
#include "common.h"

#include <chrono>
#include <string>
#include <vector>

#ifdef DSH_WITH_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace {
#ifdef DSH_WITH_GLOO
using StorePtr = c10::intrusive_ptr<c10d::Store>;
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroup>;

struct PendingAllreduce {
  c10::intrusive_ptr<c10d::Work> work;
  at::Tensor flat;
  std::vector<at::Tensor> targets;
  double scale;
};

std::vector<at::Tensor> list(dsh_tensor* tensors, int n) {
  if (n <= 0) throw std::invalid_argument("the tensor list is empty");
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(*tensors[i]);
  return out;
}

// one contiguous buffer holding every tensor of the list, in order (all of one dtype and device)
at::Tensor flatten(const std::vector<at::Tensor>& ts) {
  if (ts.size() == 1) return ts[0].detach().reshape({-1}).clone();
  return at::flatten_dense_tensors(ts);
}

void unflatten_into(const at::Tensor& flat, std::vector<at::Tensor>& targets) {
  at::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto& t : targets) {
    const int64_t n = t.numel();
    t.copy_(flat.narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

void wait(const c10::intrusive_ptr<c10d::Work>& work) {
  work->wait();  // the group's timeout bounds it: a dead or hung peer raises instead of blocking forever
}
#endif

[[noreturn]] [[maybe_unused]] void unavailable() {
  throw std::runtime_error(
      "distributed training is not available: the native shim was built without c10d's Gloo backend "
      "(install libgloo-dev and rebuild native/)");
}
}  // namespace

// 1 when this build has c10d with Gloo, else 0.
DSH_API int dsh_dist_available() {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  return 1;
#else
  return 0;
#endif
  DSH_CATCH(-1)
}

// A TCPStore: the master (is_master = 1) listens on host:port and waits for world_size clients; the others connect
// to it, retrying until timeout_ms. A non-empty prefix puts every key under it (torchrun's agent store is shared by
// restarts: "/worker/attempt_N"). Returns the store handle, null on error.
DSH_API void* dsh_dist_tcp_store_create(const char* host, int port, int world_size, int is_master, int64_t timeout_ms,
                                        const char* prefix) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (port <= 0 || port > 65535) throw std::invalid_argument("the port must be in [1, 65535]");
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(port);
  opts.isServer = is_master != 0;
  opts.numWorkers = static_cast<std::size_t>(world_size);
  opts.waitWorkers = false;  // the process group's rendezvous waits for everyone, under its own timeout
  opts.timeout = std::chrono::milliseconds(timeout_ms);
  StorePtr store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
  if (prefix != nullptr && prefix[0] != 0) store = c10::make_intrusive<c10d::PrefixStore>(std::string(prefix), store);
  return new StorePtr(std::move(store));
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

DSH_API void dsh_dist_store_free(void* store) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  delete static_cast<StorePtr*>(store);
#endif
  DSH_CATCH_VOID()
}

// A ProcessGroupGloo of `size` ranks over the store. device_kind: 0 = libtorch's default device (this machine's
// hostname, else loopback), 1 = bind to the address `name`, 2 = bind to the network interface `name`.
// timeout_ms bounds the rendezvous and every collective. Returns the group handle, null on error.
DSH_API void* dsh_dist_gloo_create(void* store, int rank, int size, int64_t timeout_ms, int device_kind, const char* name) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (store == nullptr) throw std::invalid_argument("the store is null");
  if (size < 1 || rank < 0 || rank >= size) throw std::invalid_argument("the rank must be in [0, world size)");
  auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
  switch (device_kind) {
    case 1: opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(name)); break;
    case 2: opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name)); break;
    default: opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice()); break;
  }
  opts->threads = 2;
  GroupPtr group = c10::make_intrusive<c10d::ProcessGroupGloo>(*static_cast<StorePtr*>(store), rank, size, opts);
  return new GroupPtr(std::move(group));
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

DSH_API void dsh_dist_group_free(void* group) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  delete static_cast<GroupPtr*>(group);
#endif
  DSH_CATCH_VOID()
}

// Starts a sum all-reduce of the n tensors as one flattened bucket; dsh_dist_work_wait finishes it (multiplying by
// scale, then writing each tensor back). Returns the work handle, null on error.
DSH_API void* dsh_dist_allreduce_start(void* group, dsh_tensor* tensors, int n, double scale) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  at::NoGradGuard no_grad;
  auto* pending = new PendingAllreduce{c10::intrusive_ptr<c10d::Work>(), at::Tensor(), list(tensors, n), scale};
  try {
    pending->flat = flatten(pending->targets);
    std::vector<at::Tensor> bucket{pending->flat};
    pending->work = (*static_cast<GroupPtr*>(group))->allreduce(bucket);
  } catch (...) {
    delete pending;
    throw;
  }
  return pending;
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

// Waits for an all-reduce started by dsh_dist_allreduce_start, writes the result back and frees the work handle
// (also on error). Returns 0, -1 on error (a peer that died or timed out).
DSH_API int dsh_dist_work_wait(void* work) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  std::unique_ptr<PendingAllreduce> pending(static_cast<PendingAllreduce*>(work));
  if (!pending) throw std::invalid_argument("the work handle is null");
  wait(pending->work);
  if (pending->scale != 1.0) pending->flat.mul_(pending->scale);
  unflatten_into(pending->flat, pending->targets);
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Overwrites the n tensors on every rank with root's values (one flattened broadcast). Returns 0, -1 on error.
DSH_API int dsh_dist_broadcast(void* group, dsh_tensor* tensors, int n, int root) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  at::NoGradGuard no_grad;
  auto targets = list(tensors, n);
  std::vector<at::Tensor> bucket{flatten(targets)};
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  wait((*static_cast<GroupPtr*>(group))->broadcast(bucket, opts));
  unflatten_into(bucket[0], targets);
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Blocks until every rank has called it (or the group's timeout passes). Returns 0, -1 on error.
DSH_API int dsh_dist_barrier(void* group) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  wait((*static_cast<GroupPtr*>(group))->barrier());
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Every rank's copy of t (same shape on every rank), stacked: [world size, *t.shape]. Null on error.
DSH_API dsh_tensor dsh_dist_allgather(void* group, dsh_tensor t, int size) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> input{t->detach().contiguous()};
  std::vector<std::vector<at::Tensor>> output(1);
  for (int i = 0; i < size; ++i) output[0].push_back(at::empty_like(input[0]));
  wait((*static_cast<GroupPtr*>(group))->allgather(output, input));
  return dsh::wrap(at::stack(output[0]));
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

// Sets key to value in the store (a flag other ranks wait for). Returns 0, -1 on error.
DSH_API int dsh_dist_store_set(void* store, const char* key, const char* value) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (store == nullptr) throw std::invalid_argument("the store is null");
  std::string v(value);
  (*static_cast<StorePtr*>(store))->set(key, std::vector<uint8_t>(v.begin(), v.end()));
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Waits until key is set (by any rank), at most timeout_ms; an error when it passes or the master is gone.
DSH_API int dsh_dist_store_wait(void* store, const char* key, int64_t timeout_ms) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (store == nullptr) throw std::invalid_argument("the store is null");
  (*static_cast<StorePtr*>(store))->wait({std::string(key)}, std::chrono::milliseconds(timeout_ms));
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}
