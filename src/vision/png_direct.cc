#include "vision/png_direct.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace triage::vision::internal {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// sRGB's gamma as a gAMA chunk writes it (1/2.2 × 100000); libpng corrects no other value away.
constexpr uint32_t kSrgbGamma = 45455;

uint32_t BigEndian(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// One decompressor a thread (~10 KB of tables), made on first use.
libdeflate_decompressor* ThreadDecompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  return d.get();
}

struct Header {
  uint32_t width = 0;
  uint32_t height = 0;
  int bit_depth = 0;
  int colour_type = 0;
  int channels = 0;
};

// Whether triage takes this IHDR on the fast path (see the header's list); fills `channels`.
bool Accepted(Header& h) {
  switch (h.colour_type) {
    case 0:  // grey
      h.channels = 1;
      return h.bit_depth == 1 || h.bit_depth == 2 || h.bit_depth == 4 || h.bit_depth == 8;
    case 3:  // palette
      h.channels = 1;
      return h.bit_depth == 1 || h.bit_depth == 2 || h.bit_depth == 4 || h.bit_depth == 8;
    case 2:  // RGB
      h.channels = 3;
      return h.bit_depth == 8;
    case 4:  // grey + alpha
      h.channels = 2;
      return h.bit_depth == 8;
    case 6:  // RGBA
      h.channels = 4;
      return h.bit_depth == 8;
    default:
      return false;
  }
}

int PaethPredictor(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

#if defined(__SSE2__)
// Three- and four-byte pixels (RGB, RGBA) unfiltered a whole pixel at a time, its channels in 16-bit lanes: the
// filters chain each pixel to the one on its left, so a row cannot be taken wider than a pixel.
// Four bytes from `p` in 16-bit lanes (for a three-byte pixel the fourth is the next pixel's, or the byte past the
// row: the buffers keep one byte of slack after the last row), in one load.
__m128i LoadPixel(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm_unpacklo_epi8(_mm_cvtsi32_si128(static_cast<int>(v)), _mm_setzero_si128());
}

template <size_t kBpp>
void StorePixel(unsigned char* p, __m128i v) {
  const auto packed = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_packus_epi16(v, v)));
  if constexpr (kBpp == 4) {
    std::memcpy(p, &packed, 4);
  } else {
    const auto low = static_cast<uint16_t>(packed);
    std::memcpy(p, &low, 2);
    p[2] = static_cast<unsigned char>(packed >> 16);
  }
}

__m128i Abs16(__m128i v) { return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v)); }

__m128i Select(__m128i mask, __m128i yes, __m128i no) {
  return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
}

template <size_t kBpp>
void UnfilterPixels(int type, unsigned char* row, const unsigned char* prev, size_t n) {
  const __m128i low_byte = _mm_set1_epi16(0xff);
  __m128i a = _mm_setzero_si128();  // the pixel on the left, unfiltered
  __m128i c = _mm_setzero_si128();  // the one above it
  for (size_t i = 0; i + kBpp <= n; i += kBpp) {
    const __m128i x = LoadPixel(row + i);
    const __m128i b = LoadPixel(prev + i);
    __m128i predicted;
    if (type == 3) {
      predicted = _mm_srli_epi16(_mm_add_epi16(a, b), 1);
    } else {
      // Paeth: whichever of a, b and c is nearest to a + b - c, ties going to a, then b.
      const __m128i pa = Abs16(_mm_sub_epi16(b, c));
      const __m128i pb = Abs16(_mm_sub_epi16(a, c));
      const __m128i pc = Abs16(_mm_sub_epi16(_mm_add_epi16(a, b), _mm_add_epi16(c, c)));
      const __m128i smallest = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
      predicted = Select(_mm_cmpeq_epi16(smallest, pa), a, Select(_mm_cmpeq_epi16(smallest, pb), b, c));
    }
    a = _mm_and_si128(_mm_add_epi16(x, predicted), low_byte);
    StorePixel<kBpp>(row + i, a);
    c = b;
  }
}
#endif

// Undoes one row's filter in place. `prev` is the row above, unfiltered (zeros above the first row); `bpp` the bytes
// of a whole pixel (at least 1). False for an unknown filter type.
bool Unfilter(int type, unsigned char* row, const unsigned char* prev, size_t n, size_t bpp) {
  switch (type) {
    case 0:
      return true;
    case 1:
      for (size_t i = bpp; i < n; ++i) row[i] = static_cast<unsigned char>(row[i] + row[i - bpp]);
      return true;
    case 2:
      for (size_t i = 0; i < n; ++i) row[i] = static_cast<unsigned char>(row[i] + prev[i]);
      return true;
    case 3:
    case 4:
#if defined(__SSE2__)
      if (bpp == 3) {
        UnfilterPixels<3>(type, row, prev, n);
        return true;
      }
      if (bpp == 4) {
        UnfilterPixels<4>(type, row, prev, n);
        return true;
      }
#endif
      if (type == 3) {
        for (size_t i = 0; i < bpp && i < n; ++i) row[i] = static_cast<unsigned char>(row[i] + (prev[i] >> 1));
        for (size_t i = bpp; i < n; ++i) {
          row[i] = static_cast<unsigned char>(row[i] + ((unsigned{row[i - bpp]} + unsigned{prev[i]}) >> 1));
        }
      } else {
        for (size_t i = 0; i < bpp && i < n; ++i) row[i] = static_cast<unsigned char>(row[i] + prev[i]);
        for (size_t i = bpp; i < n; ++i) {
          row[i] = static_cast<unsigned char>(row[i] + PaethPredictor(row[i - bpp], prev[i], prev[i - bpp]));
        }
      }
      return true;
    default:
      return false;
  }
}

// The samples of one unfiltered row of `bit_depth` < 8 spread to one byte each (0 .. 2^bit_depth - 1).
void Unpack(const unsigned char* row, uint32_t width, int bit_depth, unsigned char* out) {
  const int per_byte = 8 / bit_depth;
  const unsigned mask = (1u << bit_depth) - 1;
  for (uint32_t x = 0; x < width; ++x) {
    const int shift = 8 - bit_depth * (1 + static_cast<int>(x % per_byte));
    out[x] = static_cast<unsigned char>((row[x / per_byte] >> shift) & mask);
  }
}

}  // namespace

std::optional<cv::Mat> DecodePngFast(std::string_view bytes, uint64_t max_pixels) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (size < 8 || std::memcmp(data, kSignature, 8) != 0) return std::nullopt;
  Header h;
  std::vector<std::array<unsigned char, 3>> palette;
  // The IDAT chunks' data: one span when there is one chunk, else gathered into `joined`.
  const unsigned char* idat = nullptr;
  size_t idat_size = 0;
  std::vector<unsigned char> joined;
  bool seen_header = false, seen_end = false, idat_closed = false;
  for (size_t at = 8; !seen_end;) {
    if (size - at < 12) return std::nullopt;  // cut short
    const uint32_t length = BigEndian(data + at);
    if (length > 0x7fffffffu || size - at - 12 < length) return std::nullopt;
    const unsigned char* type = data + at + 4;
    const unsigned char* body = type + 4;
    if (libdeflate_crc32(0, type, size_t{length} + 4) != BigEndian(body + length)) return std::nullopt;
    const std::string_view name(reinterpret_cast<const char*>(type), 4);
    if (!seen_header) {
      if (name != "IHDR" || length != 13) return std::nullopt;
      h.width = BigEndian(body);
      h.height = BigEndian(body + 4);
      h.bit_depth = body[8];
      h.colour_type = body[9];
      if (body[10] != 0 || body[11] != 0 || body[12] != 0) return std::nullopt;  // interlaced (or unknown methods)
      if (h.width == 0 || h.height == 0 || h.width > 0x7fffffffu || h.height > 0x7fffffffu) return std::nullopt;
      if (uint64_t{h.width} * h.height > max_pixels || !Accepted(h)) return std::nullopt;
      seen_header = true;
    } else if (name == "IDAT") {
      if (idat_closed) return std::nullopt;  // IDATs must follow each other
      if (idat == nullptr && joined.empty()) {
        idat = body;
        idat_size = length;
      } else {
        if (joined.empty()) joined.assign(idat, idat + idat_size);
        joined.insert(joined.end(), body, body + length);
      }
    } else {
      if (idat != nullptr) idat_closed = true;
      if (name == "IEND") {
        seen_end = true;
      } else if (name == "PLTE") {
        // One palette, before the image data: libpng refuses a file with another.
        if (idat != nullptr || !palette.empty()) return std::nullopt;
        if (length % 3 != 0 || length == 0 || length > 768) return std::nullopt;
        palette.resize(length / 3);
        for (size_t i = 0; i < palette.size(); ++i) palette[i] = {body[3 * i], body[3 * i + 1], body[3 * i + 2]};
      } else if (name == "tRNS") {
        return std::nullopt;  // transparency: flattened onto white by libpng
      } else if (name == "gAMA") {
        if (length != 4 || BigEndian(body) != kSrgbGamma) return std::nullopt;  // libpng corrects other gammas
      } else if ((type[0] & 0x20) == 0) {
        return std::nullopt;  // an unknown critical chunk
      }
    }
    at += size_t{length} + 12;
  }
  if (idat == nullptr || (h.colour_type == 3 && palette.empty())) return std::nullopt;
  if (!joined.empty()) {
    idat = joined.data();
    idat_size = joined.size();
  }

  const size_t row_bytes = (size_t{h.width} * h.channels * h.bit_depth + 7) / 8;
  const size_t stride = row_bytes + 1;  // each row starts with its filter type
  const size_t raw_size = stride * h.height;
  std::unique_ptr<unsigned char[]> raw(new (std::nothrow) unsigned char[raw_size + 1]);  // + 1: LoadPixel
  if (!raw) return std::nullopt;
  size_t produced = 0;
  if (libdeflate_zlib_decompress(ThreadDecompressor(), idat, idat_size, raw.get(), raw_size, &produced) !=
          LIBDEFLATE_SUCCESS ||
      produced != raw_size) {
    return std::nullopt;
  }

  const size_t bpp = std::max<size_t>(1, size_t(h.channels) * h.bit_depth / 8);
  const std::vector<unsigned char> zeros(row_bytes + 1, 0);  // + 1: LoadPixel
  cv::Mat out(static_cast<int>(h.height), static_cast<int>(h.width), CV_8UC3);
  std::vector<unsigned char> unpacked(h.bit_depth < 8 ? h.width : 0);
  for (uint32_t y = 0; y < h.height; ++y) {
    unsigned char* row = raw.get() + y * stride + 1;
    const unsigned char* prev = y == 0 ? zeros.data() : row - stride;
    if (!Unfilter(row[-1], row, prev, row_bytes, bpp)) return std::nullopt;
    unsigned char* o = out.ptr<unsigned char>(static_cast<int>(y));
    const unsigned char* samples = row;
    if (h.bit_depth < 8) {
      Unpack(row, h.width, h.bit_depth, unpacked.data());
      samples = unpacked.data();
    }
    switch (h.colour_type) {
      case 2:
        std::memcpy(o, samples, size_t{h.width} * 3);
        break;
      case 6:
        for (uint32_t x = 0; x < h.width; ++x, o += 3, samples += 4) {
          if (samples[3] != 255) return std::nullopt;  // see-through: libpng flattens it onto white
          o[0] = samples[0], o[1] = samples[1], o[2] = samples[2];
        }
        break;
      case 4:
        for (uint32_t x = 0; x < h.width; ++x, o += 3, samples += 2) {
          if (samples[1] != 255) return std::nullopt;
          o[0] = o[1] = o[2] = samples[0];
        }
        break;
      case 0: {
        // 1, 2 and 4 bits scaled to 8 as libpng does: by 255, 85 and 17.
        const unsigned scale = 255u / ((1u << h.bit_depth) - 1);
        for (uint32_t x = 0; x < h.width; ++x, o += 3) {
          o[0] = o[1] = o[2] = static_cast<unsigned char>(samples[x] * scale);
        }
        break;
      }
      case 3:
        for (uint32_t x = 0; x < h.width; ++x, o += 3) {
          if (samples[x] >= palette.size()) return std::nullopt;  // an index past the palette
          const auto& c = palette[samples[x]];
          o[0] = c[0], o[1] = c[1], o[2] = c[2];
        }
        break;
    }
  }
  return out;
}

}  // namespace triage::vision::internal
