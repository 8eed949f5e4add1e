// How the process's allocator treats large freed blocks.
#pragma once

namespace triage::base {

// Analysis allocates and frees rasters and network buffers of a few MB per image on every thread. By default glibc
// hands such blocks back to the kernel (munmap, or madvise when it trims a thread's heap) and the next image faults
// every page in again: profiled on bench/dedup, page faults and the allocator took over half of an ingest's CPU
// time, and a face network fed inputs of two shapes in turn spent 116 + 17 ms of CPU where each shape alone took 73
// and 6. Freed memory is kept for reuse instead, up to these bounds: blocks of up to 32 MB are served from the heaps,
// and a heap keeps up to 256 MB free. Call once at start, before threads are made (the programs that analyse images:
// triage, and the face benchmarks that time its analysis).
void KeepFreedRasterMemory();

}  // namespace triage::base
