// Specification of the thumbnail cache's locking: one item's slow thumbnail does not hold up another's.
#include "server/thumbnail_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "base/ids.h"

namespace triage::server {
namespace {

namespace fs = std::filesystem;

model::ItemRecord ItemWithHash(int64_t id, char hex) {
  model::ItemRecord item;
  item.id = id;
  item.fingerprint.sha256 = std::string(64, hex);
  return item;
}

TEST(ThumbnailCacheTest, ASlowThumbnailDoesNotBlockAnotherItems) {
  const fs::path dir = fs::temp_directory_path() / ("triage-thumbs-test-" + base::RandomId());
  fs::create_directories(dir);
  // A FIFO stands for a source that takes long to decode: reading it blocks until a writer comes.
  const fs::path slow_source = dir / "slow.png";
  ASSERT_EQ(::mkfifo(slow_source.c_str(), 0600), 0);
  const fs::path photo = fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces/obama.jpg";
  ThumbnailCache cache(dir / "thumbs");
  auto slow = std::async(std::launch::async,
                         [&] { return cache.Get(ItemWithHash(1, 'a'), slow_source, 160, 250'000'000).ok(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it take its lock and block on the FIFO
  auto quick = std::async(std::launch::async, [&] { return cache.Get(ItemWithHash(2, 'b'), photo, 160, 250'000'000); });
  const bool quick_done = quick.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  // Unblock the slow one, whatever happened: libvips opens the source several times (once per loader it asks),
  // so keep answering each open with a writer that sends nothing until it gives up.
  while (slow.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    int fd = ::open(slow_source.c_str(), O_WRONLY | O_NONBLOCK);  // ENXIO while no reader waits
    if (fd >= 0) ::close(fd);
  }
  EXPECT_FALSE(slow.get());
  ASSERT_TRUE(quick_done) << "the thumbnail of item 2 waited for item 1's";
  auto made = quick.get();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(fs::is_regular_file(*made));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace triage::server
