// How freed host memory goes back to the system (glibc malloc only; elsewhere a no-op that says so).
//
// glibc serves blocks above its mmap threshold (at most 32 MB) with a fresh mmap and unmaps them on free, and trims
// the heap top above the trim threshold. Tensors of a detector are mostly that large (a ResNet-50 feature map at
// 800x1066 is 54 MB, an im2col buffer 120 MB), so every forward pass page-faults hundreds of MB afresh: on the
// project's machine a third of DETR-R50's inference time. Retaining freed memory (no mmap, no trim) lets the next
// pass reuse it, as PyTorch's CUDA caching allocator does for GPU memory; resident memory then stays at its peak.
#include "common.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

DSH_API int dsh_set_host_memory_retained(int retain) {
  DSH_TRY
#if defined(__GLIBC__)
  // mallopt returns 1 on success. Switching back sets glibc's default values, but fixed: the threshold no longer
  // adapts as glibc's default dynamic one does.
  int ok = retain ? mallopt(M_MMAP_MAX, 0) & mallopt(M_TRIM_THRESHOLD, 0x7fffffff)
                  : mallopt(M_MMAP_MAX, 65536) & mallopt(M_TRIM_THRESHOLD, 128 * 1024) & mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  return ok == 1 ? 1 : -1;
#else
  (void)retain;
  return 0;
#endif
  DSH_CATCH(-1)
}
