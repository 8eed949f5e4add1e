// Structural end checks for the formats an inbox receives most: JPEG, PNG, GIF, WebP.
#include "source/whole_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace triage::source {
namespace {

// Random access to a file's bytes through a window read with pread: the header walks jump from segment to segment,
// the scan through JPEG image data moves on byte by byte.
class Bytes {
 public:
  Bytes(int fd, int64_t size) : fd_(fd), size_(size) {}
  int64_t size() const { return size_; }
  // The byte at `pos`; -1 past the end or when it cannot be read.
  int At(int64_t pos) {
    if (pos < 0 || pos >= size_) return -1;
    if (pos < start_ || pos >= start_ + loaded_) {
      if (!Load(pos)) return -1;
    }
    return window_[static_cast<size_t>(pos - start_)];
  }
  // `n` bytes from `pos` into `out`; false when they are not all there.
  bool Read(int64_t pos, unsigned char* out, int n) {
    for (int i = 0; i < n; ++i) {
      const int c = At(pos + i);
      if (c < 0) return false;
      out[i] = static_cast<unsigned char>(c);
    }
    return true;
  }

 private:
  bool Load(int64_t pos) {
    const auto want = static_cast<size_t>(std::min<int64_t>(kWindow, size_ - pos));
    size_t got = 0;
    while (got < want) {
      const ssize_t n =
          ::pread(fd_, window_.data() + got, want - got, static_cast<off_t>(pos) + static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    start_ = pos;
    loaded_ = static_cast<int64_t>(got);
    return got > 0;
  }

  static constexpr int64_t kWindow = 64 * 1024;
  int fd_;
  int64_t size_;
  std::array<unsigned char, kWindow> window_{};
  int64_t start_ = 0;
  int64_t loaded_ = 0;
};

constexpr const char* kJpegCut = "its JPEG data stops before the end-of-image marker";

// Walks a JPEG's segments from after its start-of-image marker. With `headers_only`, stops at the first scan:
// `*reached_scan` then says whether the headers are all there. Without, walks the image data too, to the
// end-of-image marker. Returns why the file is cut short, or nullopt (whole, or damaged in a way that is not a cut:
// the decoder names that).
std::optional<std::string> WalkJpeg(Bytes& b, bool headers_only, bool* reached_scan) {
  int64_t pos = 2;
  for (;;) {
    int c = b.At(pos);
    if (c < 0) return kJpegCut;
    if (c != 0xFF) return std::nullopt;  // no marker where one belongs
    int marker;
    do marker = b.At(++pos);
    while (marker == 0xFF);  // fill bytes
    if (marker < 0) return kJpegCut;
    ++pos;
    if (marker == 0xD9) return std::nullopt;                             // end of image
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // markers without a length
    unsigned char length[2];
    if (!b.Read(pos, length, 2)) return kJpegCut;
    const int64_t segment = (length[0] << 8) | length[1];
    if (segment < 2) return std::nullopt;
    pos += segment;
    if (pos > b.size()) return kJpegCut;
    if (marker != 0xDA) continue;
    if (headers_only) {
      *reached_scan = true;
      return std::nullopt;
    }
    // Entropy-coded data runs to the next marker; 0xFF 0x00 is a stuffed byte, 0xFF 0xD0..0xD7 a restart marker.
    for (;;) {
      c = b.At(pos);
      if (c < 0) return kJpegCut;
      if (c != 0xFF) {
        ++pos;
        continue;
      }
      const int next = b.At(pos + 1);
      if (next < 0) return kJpegCut;
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
        pos += 2;
      } else if (next == 0xFF) {
        ++pos;
      } else {
        break;  // a marker: the walk goes on from it
      }
    }
  }
}

// The last byte that is not zero (writers pad some files with zeros), or -1.
int64_t LastNonZero(Bytes& b) {
  for (int64_t pos = b.size() - 1; pos >= 0 && pos >= b.size() - 4096; --pos) {
    if (b.At(pos) != 0) return pos;
  }
  return -1;
}

std::optional<std::string> JpegCutShort(Bytes& b) {
  // A whole JPEG's headers lead to its first scan and its last bytes are the end-of-image marker (0xFF 0xD9 cannot
  // occur inside image data): that costs a read of the headers and the tail. Anything else is walked through.
  bool reached_scan = false;
  if (auto cut = WalkJpeg(b, true, &reached_scan)) return cut;
  const int64_t last = LastNonZero(b);
  if (reached_scan && last >= 1 && b.At(last) == 0xD9 && b.At(last - 1) == 0xFF) return std::nullopt;
  return WalkJpeg(b, false, &reached_scan);
}

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::optional<std::string> PngCutShort(Bytes& b) {
  constexpr unsigned char kIendChunk[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  unsigned char tail[12];
  if (b.size() >= 20 && b.Read(b.size() - 12, tail, 12) && std::memcmp(tail, kIendChunk, 12) == 0) return std::nullopt;
  constexpr const char* kCut = "its PNG data stops before the IEND chunk";
  for (int64_t pos = 8;;) {
    unsigned char header[8];
    if (!b.Read(pos, header, 8)) return kCut;
    if (std::memcmp(header + 4, "IEND", 4) == 0) return pos + 12 <= b.size() ? std::nullopt : std::optional(kCut);
    const uint32_t length = BigEndian32(header);
    if (length > 0x7FFFFFFFu) return std::nullopt;  // not a chunk length: damaged, not cut short
    pos += 12 + static_cast<int64_t>(length);
    if (pos > b.size()) return kCut;
  }
}

}  // namespace

std::optional<std::string> WhyCutShort(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> why;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    Bytes b(fd, st.st_size);
    unsigned char head[12] = {};
    const int64_t head_size = std::min<int64_t>(12, b.size());
    const bool has_head = b.Read(0, head, static_cast<int>(head_size)) && head_size == 12;
    if (st.st_size == 0) {
      why = "it is empty";
    } else if (b.size() >= 2 && head[0] == 0xFF && head[1] == 0xD8) {
      why = JpegCutShort(b);
    } else if (head_size >= 8 && std::memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) {
      why = PngCutShort(b);
    } else if (has_head && (std::memcmp(head, "GIF87a", 6) == 0 || std::memcmp(head, "GIF89a", 6) == 0)) {
      const int64_t last = LastNonZero(b);
      if (last < 0 || b.At(last) != 0x3B) why = "its GIF data stops before the trailer";
    } else if (has_head && std::memcmp(head, "RIFF", 4) == 0 && std::memcmp(head + 8, "WEBP", 4) == 0) {
      const int64_t declared =
          int64_t{head[4]} | (int64_t{head[5]} << 8) | (int64_t{head[6]} << 16) | (int64_t{head[7]} << 24);
      if (b.size() < declared + 8)
        why = fmt::format("its WebP data has {} of the {} bytes its header announces", b.size(), declared + 8);
    }
  }
  ::close(fd);
  return why;
}

}  // namespace triage::source
