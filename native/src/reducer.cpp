// Gradient averaging that overlaps backward, as torch's DistributedDataParallel Reducer does it, written here rather
// than taken from libtorch: c10d::Reducer's constructor and per-iteration protocol differ between libtorch 1.13 and
// 2.x, it needs find_unused_parameters' graph walk for a parameter without a gradient, and it hides the time spent
// waiting after backward (the figure `bench ddp` reports). The trainable parameters are cut into buckets (registration
// order, the first first_bucket_bytes, the others bucket_bytes each, per dtype), then the bucket order is reversed:
// backward finishes the last parameters first, and the small bucket of the first parameters is the one left to reduce
// when backward ends. A post hook on each parameter's gradient accumulator copies its gradient into its bucket's flat
// buffer; when every gradient of a bucket is in, and every bucket before it has been launched (so all ranks start the
// same all-reduces in the same order), the bucket's sum all-reduce starts (ProcessGroup::allreduce, asynchronous).
// Hooks act only in an armed backward (dsh_dist_reducer_begin(sync = 1)): the micro-batches of an accumulation cycle
// before the last one reduce nothing. After backward, dsh_dist_reducer_finish marks the parameters whose hook did not
// run (unused in this backward: their accumulated gradient, or zero) ready, waits for every bucket, divides by the
// world size and writes the mean back into each parameter's gradient (creating it when the parameter had none).
// Handle: dsh_reducer = std::shared_ptr<ReducerState>* (hooks hold a weak_ptr: a freed reducer's hooks do nothing).
#include "common.h"
#include <algorithm>
#include <chrono>
#include <mutex>
#include <vector>

#ifdef DSH_WITH_GLOO
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

namespace {
#ifdef DSH_WITH_GLOO
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroup>;
using Clock = std::chrono::steady_clock;

struct Bucket {
  std::vector<size_t> params;    // indices into ReducerState::params
  std::vector<int64_t> offsets;  // where each one's gradient starts in flat
  at::Tensor flat;               // [total numel], the bucket's dtype
  size_t pending = 0;            // gradients not yet copied in
  c10::intrusive_ptr<c10d::Work> work;
};

struct ReducerState : std::enable_shared_from_this<ReducerState> {
  GroupPtr group;
  std::vector<at::Tensor> params;
  std::vector<std::pair<size_t, size_t>> slot;  // param -> (bucket, position in bucket)
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive: the param holds them weakly
  std::vector<uintptr_t> hook_keys;
  std::vector<Bucket> buckets;
  std::vector<char> ready;
  std::mutex mu;
  bool armed = false;
  size_t next = 0;           // the next bucket to launch
  size_t launched_in_backward = 0;
  std::string error;         // a launch that failed inside a hook (reported by finish)
  Clock::time_point first_launch;
  bool any_launch = false;
  std::mutex done_mu;
  Clock::time_point last_done;

  void copy_in(size_t i) {
    at::NoGradGuard no_grad;
    auto [b, k] = slot[i];
    auto& p = params[i];
    auto dst = buckets[b].flat.narrow(0, buckets[b].offsets[k], p.numel()).view(p.sizes());
    const auto& g = p.grad();
    if (g.defined()) dst.copy_(g);
    else dst.zero_();
  }

  void launch_ready() {
    while (error.empty() && next < buckets.size() && buckets[next].pending == 0) {
      auto& bucket = buckets[next];
      try {
        std::vector<at::Tensor> t{bucket.flat};
        if (!any_launch) {
          first_launch = Clock::now();
          any_launch = true;
        }
        bucket.work = group->allreduce(t);
        std::weak_ptr<ReducerState> self = weak_from_this();
        bucket.work->getFuture()->addCallback([self](c10::ivalue::Future&) {
          if (auto s = self.lock()) {
            std::lock_guard<std::mutex> lock(s->done_mu);
            s->last_done = std::max(s->last_done, Clock::now());
          }
        });
      } catch (const std::exception& e) {
        error = e.what();
      }
      ++next;
    }
  }

  // under mu
  void mark(size_t i) {
    if (ready[i]) return;
    ready[i] = 1;
    copy_in(i);
    if (--buckets[slot[i].first].pending == 0) launch_ready();
  }

  // waits for works still in flight (an earlier backward that failed half-way), ignoring their errors
  void drain() {
    for (auto& b : buckets) {
      try {
        if (b.work) b.work->wait();
      } catch (...) {  // its error was (or will be) reported by the call that needed it
      }
      b.work.reset();
    }
  }
};

struct ReadyHook : torch::autograd::FunctionPostHook {
  std::weak_ptr<ReducerState> state;
  size_t index;
  ReadyHook(std::weak_ptr<ReducerState> s, size_t i) : state(std::move(s)), index(i) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& inputs) override {
    if (auto s = state.lock()) {
      std::lock_guard<std::mutex> lock(s->mu);
      if (s->armed) s->mark(index);
      s->launched_in_backward = s->next;
    }
    return outputs;
  }
};

using Handle = std::shared_ptr<ReducerState>;

ReducerState& state(void* reducer) {
  if (reducer == nullptr) throw std::invalid_argument("the reducer is null");
  return **static_cast<Handle*>(reducer);
}
#endif

[[noreturn]] [[maybe_unused]] void unavailable() {
  throw std::runtime_error(
      "distributed training is not available: the native shim was built without c10d's Gloo backend "
      "(install libgloo-dev and rebuild native/)");
}
}  // namespace

// A reducer over the n parameters (leaves that require grad, in registration order) of one model replica:
// registers a post hook on each one's gradient accumulator. first_bucket_bytes caps the bucket of the first
// parameters (reduced last), bucket_bytes the others. Returns the handle, null on error.
DSH_API void* dsh_dist_reducer_create(void* group, dsh_tensor* params, int n, int64_t bucket_bytes,
                                      int64_t first_bucket_bytes) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  if (group == nullptr) throw std::invalid_argument("the process group is null");
  if (n <= 0) throw std::invalid_argument("the parameter list is empty");
  if (bucket_bytes <= 0 || first_bucket_bytes <= 0) throw std::invalid_argument("the bucket sizes must be positive");
  auto s = std::make_shared<ReducerState>();
  s->group = *static_cast<GroupPtr*>(group);
  for (int i = 0; i < n; ++i) {
    const at::Tensor& p = *params[i];
    if (!p.requires_grad() || !p.is_leaf()) throw std::invalid_argument("every parameter must be a leaf that requires grad");
    s->params.push_back(p);
  }
  // buckets in registration order, one open bucket per (dtype, device); the first closes at first_bucket_bytes
  struct Open { at::ScalarType dtype; c10::Device device; std::vector<size_t> members; int64_t bytes; bool first; };
  std::vector<Open> open;
  std::vector<std::vector<size_t>> assigned;
  for (size_t i = 0; i < s->params.size(); ++i) {
    const auto& p = s->params[i];
    auto o = std::find_if(open.begin(), open.end(), [&](const Open& c) { return c.dtype == p.scalar_type() && c.device == p.device(); });
    if (o == open.end()) o = open.insert(open.end(), Open{p.scalar_type(), p.device(), {}, 0, true});
    o->members.push_back(i);
    o->bytes += p.numel() * static_cast<int64_t>(p.element_size());
    if (o->bytes >= (o->first ? first_bucket_bytes : bucket_bytes)) {
      assigned.push_back(std::move(o->members));
      *o = Open{o->dtype, o->device, {}, 0, false};
    }
  }
  for (auto& c : open)
    if (!c.members.empty()) assigned.push_back(std::move(c.members));
  // launch order: by their last parameter, latest first (the order backward completes them)
  std::sort(assigned.begin(), assigned.end(), [](const auto& a, const auto& b) { return a.back() > b.back(); });
  s->slot.resize(s->params.size());
  for (auto& members : assigned) {
    Bucket b;
    int64_t total = 0;
    for (size_t k = 0; k < members.size(); ++k) {
      s->slot[members[k]] = {s->buckets.size(), k};
      b.offsets.push_back(total);
      total += s->params[members[k]].numel();
    }
    b.params = members;
    b.flat = at::zeros({total}, s->params[members[0]].options().requires_grad(false));
    s->buckets.push_back(std::move(b));
  }
  s->ready.assign(s->params.size(), 0);
  for (size_t i = 0; i < s->params.size(); ++i) {
    auto acc = torch::autograd::impl::grad_accumulator(s->params[i]);
    s->hook_keys.push_back(acc->add_post_hook(std::make_unique<ReadyHook>(s, i)));
    s->accumulators.push_back(std::move(acc));
  }
  return new Handle(std::move(s));
#else
  unavailable();
#endif
  DSH_CATCH(nullptr)
}

// Removes the hooks and frees the reducer (waiting for any all-reduce still in flight).
DSH_API void dsh_dist_reducer_free(void* reducer) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  std::unique_ptr<Handle> h(static_cast<Handle*>(reducer));
  if (!h) return;
  auto& s = **h;
  s.drain();
  for (size_t i = 0; i < s.accumulators.size(); ++i) s.accumulators[i]->del_post_hook(s.hook_keys[i]);
#endif
  DSH_CATCH_VOID()
}

// The number of buckets (all-reduces per optimizer step).
DSH_API int dsh_dist_reducer_bucket_count(void* reducer) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  return static_cast<int>(state(reducer).buckets.size());
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Call before each backward: sync = 1 arms the hooks (this backward ends an accumulation cycle: its gradients are
// reduced as they come), 0 leaves them idle (the gradients only accumulate, as under DDP's no_sync). Returns 0, -1 on error.
DSH_API int dsh_dist_reducer_begin(void* reducer, int sync) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  auto& s = state(reducer);
  std::lock_guard<std::mutex> lock(s.mu);
  s.drain();
  for (auto& b : s.buckets) b.pending = b.params.size();
  std::fill(s.ready.begin(), s.ready.end(), 0);
  s.next = s.launched_in_backward = 0;
  s.error.clear();
  s.any_launch = false;
  std::lock_guard<std::mutex> done(s.done_mu);
  s.last_done = Clock::time_point();
  s.armed = sync != 0;
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}

// Call after an armed backward: launches the buckets still waiting (parameters without a gradient in this backward
// count as ready), waits for all, and writes sum / world size into each parameter's gradient. stats (3 doubles):
// [0] milliseconds in this call (communication not overlapped with backward, plus the copy back), [1] milliseconds
// from the first bucket's launch to the last one's completion, [2] buckets launched during backward.
// Returns 0, -1 on error (a peer that died or timed out, a failed launch).
DSH_API int dsh_dist_reducer_finish(void* reducer, double* stats) {
  DSH_TRY
#ifdef DSH_WITH_GLOO
  auto& s = state(reducer);
  const auto t0 = Clock::now();
  std::unique_lock<std::mutex> lock(s.mu);
  if (!s.armed) throw std::logic_error("the reducer was not armed for this backward (dsh_dist_reducer_begin with sync = 1)");
  s.armed = false;
  const size_t during = s.launched_in_backward;
  for (size_t i = 0; i < s.params.size(); ++i) s.mark(i);
  if (!s.error.empty()) {
    s.drain();
    throw std::runtime_error("a gradient all-reduce could not start: " + s.error);
  }
  at::NoGradGuard no_grad;
  const double scale = 1.0 / s.group->getSize();
  try {
    for (auto& b : s.buckets) {
      b.work->wait();  // the group's timeout bounds it
      b.work.reset();
      b.flat.mul_(scale);
      for (size_t k = 0; k < b.params.size(); ++k) {
        auto& p = s.params[b.params[k]];
        auto src = b.flat.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
        if (p.grad().defined()) p.mutable_grad().copy_(src);
        else p.mutable_grad() = src.clone();
      }
    }
  } catch (...) {
    s.drain();
    throw;
  }
  const auto t1 = Clock::now();
  if (stats != nullptr) {
    std::unique_lock<std::mutex> d(s.done_mu);
    const Clock::time_point done = s.last_done < s.first_launch ? t1 : s.last_done;
    stats[0] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    stats[1] = std::chrono::duration<double, std::milli>(done - s.first_launch).count();
    stats[2] = static_cast<double>(during);
  }
  return 0;
#else
  unavailable();
#endif
  DSH_CATCH(-1)
}
