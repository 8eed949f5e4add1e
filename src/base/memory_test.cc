// Specification of the allocator setting: a freed raster stays in the process for the next image.
#include "base/memory.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <vector>

namespace triage::base {
namespace {

TEST(MemoryTest, AFreedRasterStaysInTheProcessForTheNext) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers bring their own allocator";
#else
  KeepFreedRasterMemory();
  {
    std::vector<unsigned char> raster(20 << 20, 1);  // a 20 MB raster, freed at the end of the scope
    ASSERT_EQ(raster[12345], 1);
  }
  // glibc would have handed a block this large straight back to the kernel (munmap); kept, it is free space of a heap.
  EXPECT_GE(mallinfo2().fordblks, static_cast<size_t>(20 << 20));
#endif
}

}  // namespace
}  // namespace triage::base
