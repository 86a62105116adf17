// glibc's malloc tuning, which the Glibc module does not export.
#ifndef FUNNEL_CMALLOC_SHIM_H
#define FUNNEL_CMALLOC_SHIM_H
#include <malloc.h>

/// Keep freed memory in the process so large per-query arrays are reused rather than
/// unmapped and faulted in (zeroed) again.
static inline void funnel_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
}
#endif
