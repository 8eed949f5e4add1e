#include "base/memory.h"

#include <malloc.h>

namespace triage::base {

void KeepFreedRasterMemory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace triage::base
