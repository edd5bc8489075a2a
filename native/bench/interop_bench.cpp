// The native baseline of `detrsharp bench interop`: N adds of 2-element float tensors through
// libtorch's C++ API, timed per run; prints one line "runs ms ms ..." for the managed side to read.
#include <torch/torch.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  at::set_num_threads(1);
  at::Tensor a = at::ones({2});
  at::Tensor b = at::ones({2});
  for (long i = 0; i < n / 10; ++i) { at::Tensor c = at::add(a, b); }
  std::printf("%d", runs);
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) { at::Tensor c = at::add(a, b); }
    auto t1 = std::chrono::steady_clock::now();
    std::printf(" %.6f", std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("\n");
  return 0;
}
