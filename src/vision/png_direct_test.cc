// Specification of the direct PNG decoder: for every PNG it takes, the very pixels of libpng's simplified reader
// (PNG_FORMAT_RGB, onto white); for every PNG that needs more than inflating and unfiltering, or that is damaged,
// nothing, so that the caller decodes it with libpng. The fixtures are written here with libpng's writer, which sets
// their colour type, bit depth, interlacing, row filters, compression and chunks.
#include "vision/png_direct.h"

#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::vision::internal {
namespace {

// The direct path's limit in decode.cc (120 MB of RGB): far above every fixture here.
constexpr uint64_t kMaxPixels = 40'000'000;

// What libpng's writer is asked to write: the IHDR fields and the extra chunks.
struct PngSpec {
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  int interlace = PNG_INTERLACE_NONE;
  int filters = PNG_ALL_FILTERS;  // png_set_filter's mask: libpng picks one of these for each row
  int compression_level = 6;
  size_t compression_buffer_size = 0;      // the size of each IDAT chunk; 0 keeps libpng's 8 KB
  std::optional<png_fixed_point> gamma{};  // a gAMA chunk
  std::vector<png_color> palette{};        // PLTE
  std::vector<png_byte> palette_alpha{};   // tRNS of a palette image
  std::optional<png_color_16> trans{};     // tRNS of a grey or RGB image: the transparent colour
  bool text = false;                       // tEXt and pHYs before the image data, another tEXt after it
  bool srgb = false;                       // sRGB, with the gAMA (45455) and cHRM that go with it
};

void AppendToString(png_structp png, png_bytep data, size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), length);
}

void FlushNothing(png_structp) {}

// Writes `rows` as `spec` says through `png`; false when libpng refused (its default error handler has printed why).
// No object with a destructor lives in this function, so that libpng's longjmp leaves none behind.
bool WriteRows(png_structp png, png_infop info, const PngSpec& spec, int width, int height, png_bytepp rows,
               std::string* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, AppendToString, FlushNothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), spec.bit_depth,
               spec.color_type, spec.interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, spec.filters);
  png_set_compression_level(png, spec.compression_level);
  if (spec.compression_buffer_size != 0) png_set_compression_buffer_size(png, spec.compression_buffer_size);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  }
  if (!spec.palette_alpha.empty()) {
    png_set_tRNS(png, info, spec.palette_alpha.data(), static_cast<int>(spec.palette_alpha.size()), nullptr);
  }
  if (spec.trans) {
    png_color_16 trans = *spec.trans;
    png_set_tRNS(png, info, nullptr, 0, &trans);
  }
  if (spec.gamma) png_set_gAMA_fixed(png, info, *spec.gamma);
  if (spec.srgb) png_set_sRGB_gAMA_and_cHRM(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
  png_text before{};
  png_text after{};
  char key[] = "Comment";
  char before_text[] = "written before the image data";
  char after_text[] = "written after the image data";
  if (spec.text) {
    before.compression = PNG_TEXT_COMPRESSION_NONE;
    before.key = key;
    before.text = before_text;
    png_set_text(png, info, &before, 1);
    png_set_pHYs(png, info, 2835, 2835, PNG_RESOLUTION_METER);
  }
  png_write_info(png, info);
  // Samples of fewer than 8 bits come one to a byte (packed by libpng), 16-bit ones in the host's order (little end).
  if (spec.bit_depth < 8) png_set_packing(png);
  if (spec.bit_depth == 16) png_set_swap(png);
  png_write_image(png, rows);  // also runs the seven Adam7 passes of an interlaced image
  if (spec.text) {
    after.compression = PNG_TEXT_COMPRESSION_NONE;
    after.key = key;
    after.text = after_text;
    png_set_text(png, info, &after, 1);  // not yet written: png_write_end writes it after the IDAT chunks
  }
  png_write_end(png, info);
  return true;
}

// The PNG file of `samples` (one sample a byte for 8 bits and fewer, uint16_t for 16 bits; as many channels as the
// colour type has) written by libpng as `spec` says.
std::string WritePng(const cv::Mat& samples, const PngSpec& spec) {
  std::vector<png_bytep> rows(static_cast<size_t>(samples.rows));
  for (int y = 0; y < samples.rows; ++y) rows[static_cast<size_t>(y)] = const_cast<png_bytep>(samples.ptr(y));
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  const bool written = WriteRows(png, info, spec, samples.cols, samples.rows, rows.data(), &out);
  png_destroy_write_struct(&png, &info);
  EXPECT_TRUE(written) << "libpng refused to write the fixture";
  return out;
}

// The reference: libpng's simplified reader, 8-bit RGB, alpha composed onto white, as decode.cc calls it when the
// direct path gives nothing. Nothing when libpng fails.
std::optional<cv::Mat> ReferenceDecode(std::string_view bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return std::nullopt;
  image.format = PNG_FORMAT_RGB;
  cv::Mat out(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3);
  png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, out.data, static_cast<png_int_32>(out.step[0]), nullptr)) {
    png_image_free(&image);
    return std::nullopt;
  }
  return out;
}

// Samples for a picture of `size` with `channels` channels, each in [0, levels): a smooth wave of its own per channel
// plus noise, so that neighbouring samples are alike (the SUB, UP, AVG and PAETH filters each leave small residues,
// and libpng's choice among all of them varies from row to row) without being equal.
cv::Mat Samples(cv::Size size, int channels, int levels, uint64_t seed) {
  cv::RNG rng(seed);
  cv::Mat out(size, CV_8UC(channels));
  for (int y = 0; y < size.height; ++y) {
    uint8_t* row = out.ptr<uint8_t>(y);
    for (int x = 0; x < size.width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const double wave = 128 + 100 * std::sin(x * 0.05 * (c + 1) + y * 0.03 * (channels - c) + c);
        const double value = std::clamp(wave + rng.gaussian(12), 0.0, 255.0);
        row[x * channels + c] = static_cast<uint8_t>(static_cast<int>(value) * levels / 256);
      }
    }
  }
  return out;
}

// `channels` channels of 16 bits: Samples spread over the whole 16-bit range, low byte noise.
cv::Mat Samples16(cv::Size size, int channels, uint64_t seed) {
  cv::Mat eight = Samples(size, channels, 256, seed);
  cv::Mat out;
  eight.convertTo(out, CV_16U, 257);
  cv::Mat low(size, CV_16UC(channels));
  cv::RNG(seed + 1).fill(low, cv::RNG::UNIFORM, 0, 256);
  return out ^ low;
}

// `colour` with its last channel (alpha) 255 everywhere.
cv::Mat WithOpaqueAlpha(const cv::Mat& colour) {
  const int channels = colour.channels() + 1;
  cv::Mat out(colour.size(), CV_8UC(channels));
  std::vector<cv::Mat> planes;
  cv::split(colour, planes);
  planes.emplace_back(colour.size(), CV_8UC1, cv::Scalar(255));
  cv::merge(planes, out);
  return out;
}

// A palette of `entries` colours, all different.
std::vector<png_color> Palette(int entries, uint64_t seed) {
  cv::RNG rng(seed);
  std::vector<png_color> palette(static_cast<size_t>(entries));
  for (int i = 0; i < entries; ++i) {
    palette[static_cast<size_t>(i)] = {static_cast<png_byte>(i), static_cast<png_byte>(rng.uniform(0, 256)),
                                       static_cast<png_byte>(rng.uniform(0, 256))};
  }
  return palette;
}

// The sizes every kind of PNG is tried at: one pixel, odd widths whose rows do not fill their last byte at 1, 2 and
// 4 bits, and a photo-like one whose image data spans many IDAT chunks.
const std::vector<cv::Size> kSizes = {{1, 1}, {3, 7}, {97, 61}, {640, 427}};

// Each row filter alone (libpng then uses it on every row, the first one included, whose row above counts as zeros),
// and all of them (libpng picks one for each row, mostly AVG and UP on these pictures).
constexpr int kFilters[] = {PNG_FILTER_NONE, PNG_FILTER_SUB,   PNG_FILTER_UP,
                            PNG_FILTER_AVG,  PNG_FILTER_PAETH, PNG_ALL_FILTERS};

std::string Describe(cv::Size size) { return std::to_string(size.width) + "x" + std::to_string(size.height); }

// Checks that DecodePngFast decodes `png` to libpng's pixels, byte for byte.
void ExpectSameAsLibpng(const std::string& png) {
  const std::optional<cv::Mat> expected = ReferenceDecode(png);
  ASSERT_TRUE(expected.has_value()) << "libpng does not decode the fixture";
  const std::optional<cv::Mat> got = DecodePngFast(png, kMaxPixels);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->type(), CV_8UC3);
  ASSERT_EQ(got->size(), expected->size());
  EXPECT_EQ(cv::norm(*got, *expected, cv::NORM_INF), 0);
}

// One chunk of a PNG file: its type and the offset of its length field (its data follow 8 bytes later, its CRC
// `length` bytes after them).
struct Chunk {
  std::string type;
  size_t start = 0;
  uint32_t length = 0;
  size_t DataStart() const { return start + 8; }
  size_t CrcStart() const { return start + 8 + length; }
};

uint32_t ReadBigEndian(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

// The chunks of a well-formed PNG file, in order.
std::vector<Chunk> Chunks(const std::string& png) {
  std::vector<Chunk> chunks;
  for (size_t at = 8; at + 12 <= png.size();) {
    Chunk chunk{png.substr(at + 4, 4), at, ReadBigEndian(png, at)};
    at = chunk.CrcStart() + 4;
    chunks.push_back(chunk);
  }
  return chunks;
}

std::vector<Chunk> ChunksOfType(const std::string& png, std::string_view type) {
  std::vector<Chunk> out;
  for (const Chunk& chunk : Chunks(png)) {
    if (chunk.type == type) out.push_back(chunk);
  }
  return out;
}

// The CRC-32 of PNG chunks (ISO 3309, the one zlib computes), bit by bit: the fixtures are small.
uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xffffffff;
  for (char byte : bytes) {
    crc ^= static_cast<uint8_t>(byte);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

// A chunk's type and data, to take apart a PNG file and put it together again in another order.
struct ChunkData {
  std::string type;
  std::string data;
};

std::vector<ChunkData> ChunkList(const std::string& png) {
  std::vector<ChunkData> list;
  for (const Chunk& chunk : Chunks(png)) list.push_back({chunk.type, png.substr(chunk.DataStart(), chunk.length)});
  return list;
}

void AppendBigEndian(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift);
}

// The PNG file of `chunks`, each with its right CRC (as if a writer had written them so, knowingly).
std::string Assemble(const std::vector<ChunkData>& chunks) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  for (const ChunkData& chunk : chunks) {
    AppendBigEndian(png, static_cast<uint32_t>(chunk.data.size()));
    png += chunk.type + chunk.data;
    AppendBigEndian(png, Crc32(chunk.type + chunk.data));
  }
  return png;
}

TEST(PngDirectTest, FixturesHoldTheirSamples) {
  // The reference reader gives back an RGB fixture's samples unchanged and scales grey of 2 bits by 85, which shows
  // that the fixtures are written as meant (and that a comparison with the reference is not a comparison of nothing).
  const cv::Mat rgb = Samples({97, 61}, 3, 256, 1);
  const std::optional<cv::Mat> decoded = ReferenceDecode(WritePng(rgb, {}));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(cv::norm(*decoded, rgb, cv::NORM_INF), 0);
  const cv::Mat grey = Samples({97, 61}, 1, 4, 2);
  const std::optional<cv::Mat> scaled =
      ReferenceDecode(WritePng(grey, {.color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 2}));
  ASSERT_TRUE(scaled.has_value());
  cv::Mat grey_rgb;
  cv::merge(std::vector<cv::Mat>(3, grey * 85), grey_rgb);
  EXPECT_EQ(cv::norm(*scaled, grey_rgb, cv::NORM_INF), 0);
  double min = 0;
  double max = 0;
  cv::minMaxLoc(grey, &min, &max);
  EXPECT_EQ(min, 0);
  EXPECT_EQ(max, 3);  // every level of the 2-bit grey occurs
}

TEST(PngDirectTest, DecodesRgbWithEveryRowFilterAndCompressionLevel) {
  // Every filter on three-byte pixels, at odd widths; level 0 stores the data in stored deflate blocks, levels 1 and
  // 9 compress them with fixed and dynamic Huffman codes.
  for (cv::Size size : kSizes) {
    const cv::Mat rgb = Samples(size, 3, 256, 3);
    for (int filters : kFilters) {
      for (int level : {0, 1, 9}) {
        SCOPED_TRACE(Describe(size) + " filters " + std::to_string(filters) + " level " + std::to_string(level));
        ExpectSameAsLibpng(WritePng(rgb, {.filters = filters, .compression_level = level}));
      }
    }
  }
}

TEST(PngDirectTest, DecodesGreyOfEveryBitDepthScaledToEightBits) {
  // Grey is replicated to the three channels; 1, 2 and 4 bits a sample are scaled to 8 as libpng does (by 255, 85
  // and 17), rows of odd widths ending inside a byte.
  for (cv::Size size : kSizes) {
    for (int depth : {1, 2, 4, 8}) {
      const cv::Mat grey = Samples(size, 1, 1 << depth, 4);
      for (int filters : kFilters) {
        SCOPED_TRACE(Describe(size) + " grey of " + std::to_string(depth) + " bits, filters " +
                     std::to_string(filters));
        ExpectSameAsLibpng(WritePng(grey, {.color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = depth, .filters = filters}));
      }
    }
  }
}

TEST(PngDirectTest, DecodesPaletteImagesOfEveryBitDepth) {
  // Indices of 1, 2, 4 and 8 bits are looked up in PLTE; the 8-bit image also uses a palette shorter than 256
  // entries, which is all its indices need.
  for (cv::Size size : kSizes) {
    for (int depth : {1, 2, 4, 8}) {
      const std::vector<int> palette_sizes = depth == 8 ? std::vector<int>{256, 200} : std::vector<int>{1 << depth};
      for (int entries : palette_sizes) {
        const cv::Mat indices = Samples(size, 1, entries, 5);
        for (int filters : {PNG_FILTER_NONE, PNG_ALL_FILTERS}) {
          SCOPED_TRACE(Describe(size) + " palette of " + std::to_string(entries) + " entries, " +
                       std::to_string(depth) + " bits, filters " + std::to_string(filters));
          ExpectSameAsLibpng(WritePng(indices, {.color_type = PNG_COLOR_TYPE_PALETTE,
                                                .bit_depth = depth,
                                                .filters = filters,
                                                .palette = Palette(entries, 6)}));
        }
      }
    }
  }
}

TEST(PngDirectTest, DecodesAnAlphaChannelThatIsOpaqueEverywhere) {
  // An alpha of 255 everywhere leaves the colours as they are (libpng composes onto white and changes nothing):
  // RGBA drops its fourth sample, grey with alpha is replicated. Four- and two-byte pixels, under every filter.
  for (cv::Size size : kSizes) {
    const cv::Mat rgba = WithOpaqueAlpha(Samples(size, 3, 256, 7));
    const cv::Mat grey_alpha = WithOpaqueAlpha(Samples(size, 1, 256, 8));
    for (int filters : kFilters) {
      SCOPED_TRACE(Describe(size) + " filters " + std::to_string(filters));
      ExpectSameAsLibpng(WritePng(rgba, {.color_type = PNG_COLOR_TYPE_RGBA, .filters = filters}));
      ExpectSameAsLibpng(WritePng(grey_alpha, {.color_type = PNG_COLOR_TYPE_GA, .filters = filters}));
    }
  }
}

TEST(PngDirectTest, DecodesAnSrgbGamma) {
  // A gAMA of 1/2.2 (45455) is sRGB's, which libpng's simplified reader assumes anyway: no transform.
  for (cv::Size size : kSizes) {
    SCOPED_TRACE(Describe(size));
    ExpectSameAsLibpng(WritePng(Samples(size, 3, 256, 9), {.gamma = 45455}));
    ExpectSameAsLibpng(WritePng(Samples(size, 1, 256, 10), {.color_type = PNG_COLOR_TYPE_GRAY, .gamma = 45455}));
  }
}

TEST(PngDirectTest, DecodesImageDataSplitOverManyIdatChunks) {
  // libpng writes an IDAT chunk each time its 256-byte buffer fills: the zlib stream, stored blocks at level 0
  // included, is cut at arbitrary places and must be joined again.
  const cv::Mat rgb = Samples({640, 427}, 3, 256, 11);
  for (int level : {0, 6}) {
    SCOPED_TRACE("level " + std::to_string(level));
    const std::string png = WritePng(rgb, {.compression_level = level, .compression_buffer_size = 256});
    EXPECT_GT(ChunksOfType(png, "IDAT").size(), 100u);
    ExpectSameAsLibpng(png);
  }
  const std::string grey =
      WritePng(Samples({97, 61}, 1, 16, 12),
               {.color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 4, .compression_buffer_size = 256});
  EXPECT_GT(ChunksOfType(grey, "IDAT").size(), 2u);
  ExpectSameAsLibpng(grey);
}

TEST(PngDirectTest, DecodesAroundAncillaryChunksThatChangeNoPixel) {
  // tEXt and pHYs before the image data and tEXt after it say nothing about the pixels; sRGB with its gAMA and cHRM
  // (what many editors write) says what libpng's simplified reader assumes anyway.
  for (cv::Size size : kSizes) {
    SCOPED_TRACE(Describe(size));
    const std::string png = WritePng(Samples(size, 3, 256, 13), {.text = true, .srgb = true});
    ASSERT_EQ(ChunksOfType(png, "tEXt").size(), 2u);
    ASSERT_GT(ChunksOfType(png, "tEXt").back().start, ChunksOfType(png, "IDAT").back().start);
    ASSERT_EQ(ChunksOfType(png, "sRGB").size(), 1u);
    ASSERT_EQ(ChunksOfType(png, "cHRM").size(), 1u);
    ExpectSameAsLibpng(png);
  }
}

TEST(PngDirectTest, DecodesAtMostMaxPixels) {
  // The limit counts pixels, and a PNG of exactly that many is decoded.
  for (cv::Size size : kSizes) {
    SCOPED_TRACE(Describe(size));
    const std::string png = WritePng(Samples(size, 3, 256, 14), {});
    const uint64_t pixels = static_cast<uint64_t>(size.width) * static_cast<uint64_t>(size.height);
    EXPECT_FALSE(DecodePngFast(png, pixels - 1).has_value());
    const std::optional<cv::Mat> decoded = DecodePngFast(png, pixels);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->size(), size);
  }
}

TEST(PngDirectTest, LeavesInterlacedImagesToLibpng) {
  // Adam7 stores the pixels in seven passes, which the direct path does not reassemble.
  for (cv::Size size : kSizes) {
    SCOPED_TRACE(Describe(size));
    EXPECT_FALSE(DecodePngFast(WritePng(Samples(size, 3, 256, 15), {.interlace = PNG_INTERLACE_ADAM7}), kMaxPixels));
    EXPECT_FALSE(DecodePngFast(
        WritePng(Samples(size, 1, 256, 16), {.color_type = PNG_COLOR_TYPE_GRAY, .interlace = PNG_INTERLACE_ADAM7}),
        kMaxPixels));
    EXPECT_FALSE(DecodePngFast(WritePng(Samples(size, 1, 16, 17), {.color_type = PNG_COLOR_TYPE_PALETTE,
                                                                   .bit_depth = 4,
                                                                   .interlace = PNG_INTERLACE_ADAM7,
                                                                   .palette = Palette(16, 18)}),
                               kMaxPixels));
  }
}

TEST(PngDirectTest, LeavesSixteenBitsToLibpng) {
  // 16-bit samples need bringing down to 8 bits (libpng's simplified reader takes them as linear light and converts
  // them to sRGB), which the direct path does not do.
  const cv::Size size(97, 61);
  EXPECT_FALSE(DecodePngFast(WritePng(Samples16(size, 3, 19), {.bit_depth = 16}), kMaxPixels));
  EXPECT_FALSE(DecodePngFast(WritePng(Samples16(size, 1, 20), {.color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 16}),
                             kMaxPixels));
  EXPECT_FALSE(DecodePngFast(WritePng(Samples16(size, 4, 21), {.color_type = PNG_COLOR_TYPE_RGBA, .bit_depth = 16}),
                             kMaxPixels));
}

TEST(PngDirectTest, LeavesTransparencyToLibpng) {
  // A tRNS chunk makes some colours transparent, which libpng composes onto white: a palette with alpha values, a
  // grey level and an RGB colour that are transparent (each of them occurring in the image).
  const cv::Size size(97, 61);
  std::vector<png_byte> alpha(16, 255);
  alpha[3] = 0;
  alpha[5] = 128;
  EXPECT_FALSE(DecodePngFast(
      WritePng(
          Samples(size, 1, 16, 22),
          {.color_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 4, .palette = Palette(16, 23), .palette_alpha = alpha}),
      kMaxPixels));
  const cv::Mat grey = Samples(size, 1, 256, 24);
  png_color_16 grey_trans{};
  grey_trans.gray = grey.at<uint8_t>(30, 40);
  EXPECT_FALSE(DecodePngFast(WritePng(grey, {.color_type = PNG_COLOR_TYPE_GRAY, .trans = grey_trans}), kMaxPixels));
  const cv::Mat rgb = Samples(size, 3, 256, 25);
  const cv::Vec3b colour = rgb.at<cv::Vec3b>(30, 40);
  png_color_16 rgb_trans{};
  rgb_trans.red = colour[0];
  rgb_trans.green = colour[1];
  rgb_trans.blue = colour[2];
  EXPECT_FALSE(DecodePngFast(WritePng(rgb, {.trans = rgb_trans}), kMaxPixels));
}

TEST(PngDirectTest, LeavesAlphaBelowOpaqueToLibpng) {
  // One pixel that is not opaque is enough to need composing onto white: the last pixel of an RGBA image (alpha 128)
  // and one in the middle of a grey-with-alpha image (alpha 0).
  const cv::Size size(97, 61);
  cv::Mat rgba = WithOpaqueAlpha(Samples(size, 3, 256, 26));
  rgba.at<cv::Vec4b>(size.height - 1, size.width - 1)[3] = 128;
  EXPECT_FALSE(DecodePngFast(WritePng(rgba, {.color_type = PNG_COLOR_TYPE_RGBA}), kMaxPixels));
  cv::Mat grey_alpha = WithOpaqueAlpha(Samples(size, 1, 256, 27));
  grey_alpha.at<cv::Vec2b>(30, 40)[1] = 0;
  EXPECT_FALSE(DecodePngFast(WritePng(grey_alpha, {.color_type = PNG_COLOR_TYPE_GA}), kMaxPixels));
}

TEST(PngDirectTest, LeavesAnotherGammaToLibpng) {
  // A gAMA of 1.0 (linear samples) makes libpng convert them to sRGB.
  const cv::Mat rgb = Samples({97, 61}, 3, 256, 28);
  const std::string png = WritePng(rgb, {.gamma = 100000});
  const std::optional<cv::Mat> reference = ReferenceDecode(png);
  ASSERT_TRUE(reference.has_value());
  EXPECT_GT(cv::norm(*reference, rgb, cv::NORM_INF), 0);  // libpng does change the pixels
  EXPECT_FALSE(DecodePngFast(png, kMaxPixels));
}

TEST(PngDirectTest, RefusesDamagedImageData) {
  // A byte of the zlib stream changed, with the chunk's CRC made right again: only inflating can tell, by an invalid
  // code or a wrong Adler-32 at the end of the stream. libpng fails on it or decodes other pixels.
  const cv::Mat rgb = Samples({97, 61}, 3, 256, 29);
  for (int level : {0, 9}) {
    SCOPED_TRACE("level " + std::to_string(level));
    std::vector<ChunkData> chunks = ChunkList(WritePng(rgb, {.compression_level = level}));
    ASSERT_EQ(chunks[1].type, "IDAT");
    chunks[1].data[chunks[1].data.size() / 2] ^= 0x5a;
    const std::string png = Assemble(chunks);
    const std::optional<cv::Mat> reference = ReferenceDecode(png);
    EXPECT_TRUE(!reference.has_value() || cv::norm(*reference, rgb, cv::NORM_INF) > 0);
    EXPECT_FALSE(DecodePngFast(png, kMaxPixels));
  }
}

TEST(PngDirectTest, RefusesAWrongCrc) {
  // A chunk whose CRC does not match its type and data: the IHDR, an IDAT (the first, a middle one or the last),
  // and also a chunk that says nothing about the pixels (a tEXt, the IEND), as the header asks every chunk's CRC right.
  const std::string png = WritePng(Samples({97, 61}, 3, 256, 30), {.compression_buffer_size = 1024, .text = true});
  const std::vector<Chunk> idat = ChunksOfType(png, "IDAT");
  ASSERT_GE(idat.size(), 3u);
  ASSERT_TRUE(DecodePngFast(png, kMaxPixels).has_value());
  for (const Chunk& chunk : {ChunksOfType(png, "IHDR").at(0), idat.front(), idat[idat.size() / 2], idat.back(),
                             ChunksOfType(png, "tEXt").at(0), ChunksOfType(png, "IEND").at(0)}) {
    SCOPED_TRACE(chunk.type + " at " + std::to_string(chunk.start));
    std::string damaged = png;
    damaged[chunk.CrcStart() + 1] ^= 0x01;
    EXPECT_FALSE(DecodePngFast(damaged, kMaxPixels));
  }
}

TEST(PngDirectTest, RefusesAFileCutShort) {
  // The last 20 bytes gone (IEND and the end of the last IDAT, its CRC and the stream's Adler-32), or the file
  // ending in the middle of the image data (of its only IDAT, or of a middle one of many).
  const cv::Mat rgb = Samples({97, 61}, 3, 256, 31);
  const std::string png = WritePng(rgb, {});
  EXPECT_FALSE(DecodePngFast(png.substr(0, png.size() - 20), kMaxPixels));
  const Chunk idat = ChunksOfType(png, "IDAT").at(0);
  EXPECT_FALSE(DecodePngFast(png.substr(0, idat.DataStart() + idat.length / 2), kMaxPixels));
  const std::string split = WritePng(rgb, {.compression_buffer_size = 1024});
  const std::vector<Chunk> idats = ChunksOfType(split, "IDAT");
  const Chunk middle = idats.at(idats.size() / 2);
  EXPECT_FALSE(DecodePngFast(split.substr(0, middle.DataStart() + middle.length / 2), kMaxPixels));
  EXPECT_FALSE(DecodePngFast(split.substr(0, middle.start), kMaxPixels));  // ends after a whole chunk
}

TEST(PngDirectTest, RefusesImageDataShorterThanItsHeaderSays) {
  // A whole zlib stream, right to its Adler-32, that holds fewer rows (or shorter rows) than the IHDR declares: libpng
  // runs out of image data, and the bytes missing must not be taken from memory nobody wrote.
  const std::vector<ChunkData> chunks = ChunkList(WritePng(Samples({97, 61}, 3, 256, 35), {}));
  ASSERT_EQ(chunks[0].type, "IHDR");
  for (int field : {0, 4}) {  // the width or the height, one more than the data hold
    SCOPED_TRACE(field == 0 ? "98 columns" : "62 rows");
    std::vector<ChunkData> longer = chunks;
    longer[0].data[field + 3] = static_cast<char>(longer[0].data[field + 3] + 1);
    const std::string png = Assemble(longer);
    EXPECT_FALSE(ReferenceDecode(png).has_value());
    EXPECT_FALSE(DecodePngFast(png, kMaxPixels));
  }
}

TEST(PngDirectTest, RefusesChunksInAnOrderLibpngRefuses) {
  // Chunks in an order libpng refuses, each with a right CRC: the PLTE after the image data ("Missing PLTE before
  // IDAT"), a second PLTE ("duplicate"), and another chunk between two IDATs (libpng reads the image data from
  // consecutive IDATs only). The header promises nothing for a damaged PNG, so that the caller's libpng says what is
  // wrong with it; pixels would hide that.
  const std::string png = WritePng(Samples({97, 61}, 1, 16, 33),
                                   {.color_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 4, .palette = Palette(16, 34)});
  const std::vector<ChunkData> chunks = ChunkList(png);
  ASSERT_EQ(Assemble(chunks), png);
  ASSERT_EQ(chunks.size(), 4u);
  ASSERT_EQ(chunks[1].type, "PLTE");
  ASSERT_EQ(chunks[2].type, "IDAT");
  const std::string late = Assemble({chunks[0], chunks[2], chunks[1], chunks[3]});
  EXPECT_FALSE(ReferenceDecode(late).has_value());
  EXPECT_FALSE(DecodePngFast(late, kMaxPixels)) << "PLTE after IDAT";
  ChunkData other = chunks[1];
  std::reverse(other.data.begin(), other.data.end());
  const std::string twice = Assemble({chunks[0], chunks[1], other, chunks[2], chunks[3]});
  EXPECT_FALSE(ReferenceDecode(twice).has_value());
  EXPECT_FALSE(DecodePngFast(twice, kMaxPixels)) << "two PLTEs";
  std::vector<ChunkData> split = ChunkList(WritePng(Samples({97, 61}, 3, 256, 36), {.compression_buffer_size = 1024}));
  ASSERT_EQ(split[2].type, "IDAT");
  split.insert(split.begin() + 2, ChunkData{"tEXt", std::string("Comment\0between IDATs", 21)});
  const std::string interrupted = Assemble(split);
  EXPECT_FALSE(ReferenceDecode(interrupted).has_value());
  EXPECT_FALSE(DecodePngFast(interrupted, kMaxPixels)) << "tEXt between IDATs";
}

TEST(PngDirectTest, RefusesWhatIsNotAPng) {
  // A JPEG's first bytes, nothing, a PNG whose signature has a byte wrong, the signature alone, and the signature
  // with an IHDR but no image data.
  constexpr char kJpegStart[] = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb";
  EXPECT_FALSE(DecodePngFast(std::string(kJpegStart, sizeof(kJpegStart) - 1) + std::string(1000, '\x55'), kMaxPixels));
  EXPECT_FALSE(DecodePngFast("", kMaxPixels));
  const std::string png = WritePng(Samples({3, 7}, 3, 256, 32), {});
  ASSERT_TRUE(DecodePngFast(png, kMaxPixels).has_value());
  std::string wrong_signature = png;
  wrong_signature[1] = 'Q';  // "\x89QNG": otherwise a whole, right PNG
  EXPECT_FALSE(DecodePngFast(wrong_signature, kMaxPixels));
  EXPECT_FALSE(DecodePngFast(png.substr(0, 8), kMaxPixels));
  const Chunk ihdr = ChunksOfType(png, "IHDR").at(0);
  EXPECT_FALSE(DecodePngFast(png.substr(0, ihdr.CrcStart() + 4), kMaxPixels));
}

}  // namespace
}  // namespace triage::vision::internal
