// libvips decoding with shrink-on-load (camera RAW through its embedded preview); OpenCV's img_hash for the
// perceptual hash.
#include "vision/decode.h"

#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <exiv2/exiv2.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <vips/vips8>

#include "base/files.h"
#include "base/utf8.h"
#include "model/image_format.h"
#include "vision/exif_fields.h"
#include "vision/header_direct.h"
#include "vision/png_direct.h"
#include "vision/raw_preview.h"
#include "vision/resample.h"

namespace triage::vision {
namespace {

using vips::VImage;

// The latest warning libvips logged on this thread: some loaders (PNG) fail with an empty error and say what was wrong
// only as a warning ("IEND: out of place").
thread_local std::string t_last_warning;

// Starts libvips once; called by every operation before it reads an image.
void InitVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("triage") != 0) throw std::runtime_error("libvips failed to start");
    // A damaged file's decoder error becomes the item's reason; libvips's own warnings about it ("VIPS-WARNING **:
    // Unexpected end of GIF source data") would only land on stderr, in the middle of a progress bar.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
        [](const gchar*, GLogLevelFlags, const gchar* message, gpointer) {
          if (message != nullptr) t_last_warning = message;
        },
        nullptr);
    vips_concurrency_set(1);  // the pipeline runs images in parallel; one vips thread per image
    vips_cache_set_max(0);    // no operation cache: every file is read once
    vips_leak_set(FALSE);
  });
  t_last_warning.clear();  // each operation starts from a clean slate
}

constexpr size_t kHeadBytes = 64;  // at least model::kFormatSniffBytes

std::string HexPrefix(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
  }
  return out;
}

// What a file that is no image seems to be, for the reviewer: a kind known by its first bytes, text by its first
// characters, else those bytes in hex. A download that answered with a web page is the usual case.
std::string DescribeHead(const std::string& head) {
  auto starts = [&](std::string_view magic) { return head.rfind(magic, 0) == 0; };
  if (starts("%PDF")) return "it is a PDF document";
  if (starts(std::string_view("PK\x03\x04", 4))) return "it is a ZIP archive or an office document";
  // About 24 bytes, ended at a character's end: text may be any language's (UTF-8), or a dash in a README.
  size_t shown = std::min<size_t>(head.size(), 24);
  while (shown < head.size() && (static_cast<unsigned char>(head[shown]) & 0xC0) == 0x80) ++shown;
  const bool text = base::IsValidUtf8(std::string_view(head).substr(0, shown)) &&
                    std::all_of(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(shown), [](char c) {
                      const auto u = static_cast<unsigned char>(c);
                      return (u >= 0x20 && u != 0x7f) || c == '\n' || c == '\r' || c == '\t';
                    });
  if (!text) return fmt::format("it starts with the bytes {}", HexPrefix(head));
  std::string lower =
      head.substr(head.find_first_not_of(" \t\r\n") == std::string::npos ? 0 : head.find_first_not_of(" \t\r\n"), 64);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.rfind("<!doctype html", 0) == 0 || lower.rfind("<html", 0) == 0) {
    return "it is a web page (HTML), not the image itself";
  }
  std::string start = head.substr(0, shown);
  for (char& c : start)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return fmt::format("it is text, starting \"{}\"", start);
}

// Checks the magic bytes: only the formats triage accepts reach a vips loader.
base::Result<std::string> SniffFormat(const std::string& head) {
  if (head.empty()) return base::Status::Corrupt("empty file");
  std::string format = model::DetectImageFormat(reinterpret_cast<const unsigned char*>(head.data()), head.size());
  if (format.empty()) {
    return base::Status::Corrupt(fmt::format("not a supported image format: {}", DescribeHead(head)));
  }
  return format;
}

// libvips keeps one error buffer for the whole process: a line another thread's decoder wrote (a truncated JPEG's
// "VipsJpeg: Premature end of input file") can sit in front of this decoder's own. Of a message of several lines, the
// lines that name `format`'s loader are kept, when some do.
std::string OwnLines(const std::string& text, const std::string& format) {
  if (format.empty() || text.find('\n') == text.find_last_of('\n')) return text;
  std::string own;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find(format == "heif" ? "heif" : format) != std::string::npos) own += line + "\n";
    start = end + 1;
  }
  return own.empty() ? text : own;
}

// The decoder's words, led by plain ones where a decoder's message is known to mean something a user can act on.
std::string VipsMessage(const vips::VError& e, const std::string& format = "") {
  std::string msg = OwnLines(e.what(), format);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  vips_error_clear();
  if (msg.empty()) {
    msg = t_last_warning.empty() ? "the file is damaged (the decoder stopped without saying where)"
                                 : "the file is damaged (" + t_last_warning + ")";
  }
  t_last_warning.clear();
  if (msg.find("Premature end") != std::string::npos || msg.find("truncated") != std::string::npos ||
      msg.find("unexpected end") != std::string::npos) {
    return "the file ends early, as if cut off while being downloaded or copied (" + msg + ")";
  }
  return msg;
}

// A TIFF's EXIF: libvips parses no EXIF block out of a TIFF (its tags live in the file's own directories), so
// libexiv2 reads them, handed to the same field readers in the shape libvips gives them ("text (raw, ...)"). Only
// what the file states is set; a file libexiv2 cannot read leaves `info` as it was.
void FillTiffExif(const std::filesystem::path& path, model::ImageInfo& info) {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();  // before threads read files: the XMP toolkit's own setup is not thread-safe
  });
  try {
    auto image = Exiv2::ImageFactory::open(path.string());
    if (image.get() == nullptr) return;
    image->readMetadata();
    const Exiv2::ExifData& exif = image->exifData();
    if (exif.empty()) return;
    auto get = [&](const char* field) -> std::string {
      const std::string name = field;
      const char* group = name.rfind("exif-ifd0-", 0) == 0   ? "Exif.Image."
                          : name.rfind("exif-ifd2-", 0) == 0 ? "Exif.Photo."
                          : name.rfind("exif-ifd3-", 0) == 0 ? "Exif.GPSInfo."
                                                             : nullptr;
      if (group == nullptr) return "";
      auto it = exif.findKey(Exiv2::ExifKey(group + name.substr(10)));
      if (it == exif.end()) return "";
      // libexiv2 keeps an ASCII value's padding (spaces, NULs), which libvips's strings end before.
      std::string value = it->value().toString();
      while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.pop_back();
      return value + " (" + value + ", exiv2)";
    };
    FillExifFacts(get, info);
  } catch (const std::exception&) {
    // Metadata a library cannot read is no reason to refuse the picture: it is kept without them.
  }
}

model::ImageInfo ReadInfo(const VImage& header, const std::string& format) {
  std::optional<int> orientation;
  if (header.get_typeof(VIPS_META_ORIENTATION) != 0) orientation = header.get_int(VIPS_META_ORIENTATION);
  return HeaderInfo(format, header.width(), header.height(), orientation, [&](const char* field) {
    return header.get_typeof(field) == 0 ? std::string() : header.get_string(field);
  });
}

// Turns any vips image into 8-bit sRGB with 3 bands, alpha flattened on white.
model::RgbImage ToRgb(VImage image) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  if (image.has_alpha()) image = image.flatten(VImage::option()->set("background", std::vector<double>{255, 255, 255}));
  if (image.bands() > 3) image = image.extract_band(0, VImage::option()->set("n", 3));
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  model::RgbImage out;
  out.width = image.width();
  out.height = image.height();
  size_t size = 0;
  void* mem = image.write_to_memory(&size);
  out.pixels.assign(static_cast<uint8_t*>(mem), static_cast<uint8_t*>(mem) + size);
  g_free(mem);
  return out;
}

// JPEGs straight through libjpeg-turbo: the DCT-scaled decode, then upright (and, for the hashes' rasters, shrunk by
// area averaging) here. libvips' own path (load, autorot, a Lanczos reduce whose vector code it compiles for every
// image) cost about 4.6 ms of CPU per 1-2 MP photo at the hashes' size; this costs about a third of that. Anything this
// path does not handle as libvips would (CMYK, a libjpeg error or warning such as a truncated file, a reduction that is
// not for the hashes) returns nothing, and libvips decodes the file: its errors stay the ones users see.
// The largest JPEG DCT scale-down (1, 2, 4 or 8) that still leaves a long side of `longest` at least `side` and a short
// side of `shortest` at least one pixel (libvips rounds the scaled size down, and a line 3000 x 1 loaded at 1/2 was a
// zero-height image that aborted the process): the one rule for libvips' loads and the direct path.
int JpegShrinkFor(int longest, int shortest, int side) {
  int shrink = 8;
  while (shrink > 1 && (longest / shrink < side || shortest / shrink < 1)) shrink /= 2;
  return shrink;
}

// The long side a JPEG's DCT scaling must keep under `options`: min_side_px when set, else the raster's side.
int JpegScaledSide(const DecodeOptions& options) {
  const int side = std::clamp(options.max_side_px, 32, 16384);
  return options.min_side_px > 0 ? std::clamp(options.min_side_px, 32, side) : side;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};

void OnJpegError(j_common_ptr info) { std::longjmp(reinterpret_cast<JpegError*>(info->err)->jump, 1); }

// Any warning (corrupt data, a premature end) leaves the file to libvips, which decides what it is worth.
void OnJpegMessage(j_common_ptr info, int level) {
  if (level < 0) std::longjmp(reinterpret_cast<JpegError*>(info->err)->jump, 1);
}

// `m` turned upright from EXIF orientation `orientation` (1-8), as libvips' autorot does.
cv::Mat Upright(const cv::Mat& m, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(m, out, 1);
      return out;
    case 3:
      cv::rotate(m, out, cv::ROTATE_180);
      return out;
    case 4:
      cv::flip(m, out, 0);
      return out;
    case 5:
      cv::transpose(m, out);
      return out;
    case 6:
      cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE);
      return out;
    case 7:
      cv::transpose(m, out);
      cv::flip(out, out, -1);
      return out;
    case 8:
      cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      return out;
    default:
      return m;
  }
}

// Whether a direct decode may shrink its raster by area averaging to reach `side`. Only rasters for the hashes (at
// most this size) are: their 64 px signatures and 32 px hashes do not tell the kernels apart. A raster the quality
// measures or the face detector read keeps libvips' Lanczos reduction, whose sharpness the noise and sharpness
// measures were calibrated on (area averaging lowered the noise of σ=10 copies enough to lose two degradation pairs).
// Either path gives the same pixels when no reduction is needed.
constexpr int kAreaResampleMaxSide = 512;
bool MayResample(int side) { return side <= kAreaResampleMaxSide; }
// Largest PNG decoded whole by the direct path (120 MB of RGB).
constexpr uint64_t kDirectPngMaxPixels = 40'000'000;

// `decoded` (8-bit RGB) turned upright and shrunk by area averaging to at most `side` on its long side.
model::RgbImage UprightWithin(const cv::Mat& decoded, int orientation, int side) {
  cv::Mat upright = Upright(decoded, orientation);
  const int now = std::max(upright.cols, upright.rows);
  if (now > side) {
    const double f = static_cast<double>(side) / now;
    const cv::Size size(std::max(1, static_cast<int>(std::lround(upright.cols * f))),
                        std::max(1, static_cast<int>(std::lround(upright.rows * f))));
    upright = internal::ResampleTo(upright, size);
  }
  if (!upright.isContinuous()) upright = upright.clone();
  model::RgbImage out;
  out.width = upright.cols;
  out.height = upright.rows;
  out.pixels.assign(upright.datastart, upright.dataend);
  return out;
}

// The pixels of a JPEG held in `bytes` (`info` from its header: size and orientation), upright, at most `side` on the
// long side (DCT scaling to the smallest scale that keeps `scaled_side`, then area averaging down to `side`). Nothing
// when libvips should decode it instead.
std::optional<model::RgbImage> DecodeJpegDirect(const std::string& bytes, const model::ImageInfo& info, int side,
                                                int scaled_side) {
  jpeg_decompress_struct cinfo;
  JpegError error;
  cinfo.err = jpeg_std_error(&error.mgr);
  error.mgr.error_exit = OnJpegError;
  error.mgr.emit_message = OnJpegMessage;
  cv::Mat decoded;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return std::nullopt;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_GRAYSCALE &&
      cinfo.jpeg_color_space != JCS_RGB) {
    jpeg_destroy_decompress(&cinfo);
    return std::nullopt;  // CMYK, YCCK: libvips converts those through their profile
  }
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(
      JpegShrinkFor(static_cast<int>(std::max(cinfo.image_width, cinfo.image_height)),
                    static_cast<int>(std::min(cinfo.image_width, cinfo.image_height)), scaled_side));
  cinfo.out_color_space = JCS_RGB;
  jpeg_calc_output_dimensions(&cinfo);
  if (!MayResample(side) && static_cast<int>(std::max(cinfo.output_width, cinfo.output_height)) > side) {
    jpeg_destroy_decompress(&cinfo);
    return std::nullopt;
  }
  jpeg_start_decompress(&cinfo);
  decoded.create(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width), CV_8UC3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = decoded.ptr<unsigned char>(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return UprightWithin(decoded, info.orientation, side);
}

// A PNG held in `bytes` through libpng's simplified reader (8-bit RGB; alpha flattened onto white, palette and grey
// images converted as libvips does), upright and shrunk as DecodeJpegDirect. libvips' thumbnail decodes the whole PNG
// too, then reduces it with code it compiles per image. Nothing when libvips should decode it instead (any error).
std::optional<model::RgbImage> DecodePngDirect(const std::string& bytes, const model::ImageInfo& info, int side) {
  if (!MayResample(side) && std::max(info.width, info.height) > side) return std::nullopt;  // see below
  // Most PNGs need no colour transform: those take the fast path, libpng's reader every other one.
  if (auto fast = internal::DecodePngFast(bytes, kDirectPngMaxPixels))
    return UprightWithin(*fast, info.orientation, side);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return std::nullopt;
  if (image.format & PNG_FORMAT_FLAG_LINEAR) {
    // 16 bits a channel: libpng's simplified reader takes those as linear light, libvips as sRGB-encoded (which is
    // what cameras and editors write); libvips decodes them, so that a copy keeps its brightness.
    png_image_free(&image);
    return std::nullopt;
  }
  // libpng decodes the whole image into memory; libvips streams a large one through its reduction instead.
  if ((!MayResample(side) && static_cast<int>(std::max(image.width, image.height)) > side) ||
      uint64_t{image.width} * image.height > kDirectPngMaxPixels) {
    png_image_free(&image);
    return std::nullopt;
  }
  image.format = PNG_FORMAT_RGB;
  cv::Mat decoded(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3);
  png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, decoded.data, static_cast<png_int_32>(decoded.step[0]), nullptr)) {
    png_image_free(&image);
    return std::nullopt;
  }
  return UprightWithin(decoded, info.orientation, side);
}

// Decodes through `load_header` (format -> the image, not yet read) and `load_shrunk` ((format, side, header) ->
// upright image of about `side` on its long side).
// `bytes`, when not null, are the file's bytes, for the direct JPEG and PNG paths.
template <typename LoadHeader, typename LoadShrunk>
base::Result<Decoded> DecodeWith(const std::string& head, const DecodeOptions& options, LoadHeader load_header,
                                 LoadShrunk load_shrunk, const std::string* bytes = nullptr) {
  auto format = SniffFormat(head);
  if (!format.ok()) return format.status();
  try {
    Decoded out;
    // The header from the bytes when this reads it as libvips does (a JPEG or PNG), else from libvips, which is
    // started (and asked for the header) only when needed.
    std::optional<VImage> header;
    auto vips_header = [&]() -> const VImage& {
      if (!header) {
        InitVips();
        header = load_header(*format);
      }
      return *header;
    };
    std::optional<model::ImageInfo> direct_info;
    if (bytes != nullptr) direct_info = internal::HeaderInfoDirect(*format, *bytes);
    out.info = direct_info ? *direct_info : ReadInfo(vips_header(), *format);
    int64_t pixels = int64_t{out.info.width} * out.info.height;
    if (pixels > options.max_pixels) {
      return base::Status::Corrupt(fmt::format("image of {}x{} pixels exceeds the limit of {} pixels", out.info.width,
                                               out.info.height, options.max_pixels));
    }
    int side = std::clamp(options.max_side_px, 32, 16384);
    if (bytes != nullptr && (*format == "jpeg" || *format == "png")) {
      auto direct = *format == "jpeg" ? DecodeJpegDirect(*bytes, out.info, side, JpegScaledSide(options))
                                      : DecodePngDirect(*bytes, out.info, side);
      if (direct) {
        out.image = std::move(*direct);
        return out;
      }
    }
    out.image = ToRgb(load_shrunk(*format, side, vips_header()));
    if (out.image.empty()) return base::Status::Corrupt("decoder returned an empty image");
    return out;
  } catch (const vips::VError& e) {
    std::string message = VipsMessage(e, *format);
    // libpng says "read error" for a file cut short as for any other damage; a PNG ends with its IEND chunk, and one
    // without it was cut off (as the JPEG decoder's "premature end" says).
    if (*format == "png" && bytes != nullptr && message.rfind("the file ends early", 0) != 0 &&
        bytes->find("IEND", bytes->size() > 64 ? bytes->size() - 64 : 0) == std::string::npos) {
      message = "the file ends early, as if cut off while being downloaded or copied (" + message + ")";
    }
    return base::Status::Corrupt(fmt::format("{} decoder: {}", *format, message));
  }
}

vips::VOption* ThumbOptions(int side) {
  return VImage::option()->set("height", side)->set("size", VIPS_SIZE_DOWN)->set("fail_on", VIPS_FAIL_ON_TRUNCATED);
}

// The same for a loaded header.
int JpegShrinkFor(const VImage& header, int side) {
  return JpegShrinkFor(std::max(header.width(), header.height()), std::min(header.width(), header.height()), side);
}

// JPEGs load directly at a DCT-scaled size (cheaper than vips_thumbnail's generic path, which measured
// ~45 ms against ~28 ms of CPU for an 8 MP photo at 1/8), then turn upright and shrink the rest of the way.
VImage ShrinkJpeg(VImage image, int side) {
  // Orientations 3 and 4 turn the picture upside down: the flip reads it bottom-up, which a sequential load cannot
  // give ("out of order read"), so the DCT-scaled raster is made in memory first. The others read in order.
  const int orientation = image.get_typeof(VIPS_META_ORIENTATION) ? image.get_int(VIPS_META_ORIENTATION) : 1;
  if (orientation == 3 || orientation == 4) image = image.copy_memory();
  image = image.autorot();
  int longest = std::max(image.width(), image.height());
  if (longest > side) image = image.resize(static_cast<double>(side) / longest);
  return image;
}

vips::VOption* JpegOptions(int shrink) {
  return VImage::option()
      ->set("shrink", shrink)
      ->set("access", VIPS_ACCESS_SEQUENTIAL)
      ->set("fail_on", VIPS_FAIL_ON_TRUNCATED);
}

// File `file` of `format` decoded by libvips to at most `side` on its long side, upright: a JPEG shrunk on load by
// DCT scaling (as far as `options` allow, JpegScaledSide), anything else through libvips' thumbnail.
VImage LoadFileWithin(const std::string& file, const std::string& format, int side, const VImage& header,
                      const DecodeOptions& options) {
  if (format == "jpeg") {
    return ShrinkJpeg(VImage::jpegload(file.c_str(), JpegOptions(JpegShrinkFor(header, JpegScaledSide(options)))),
                      side);
  }
  return VImage::thumbnail(file.c_str(), side, ThumbOptions(side));
}

// The first bytes of a file, for the format checks and, when it is no image, to say what it seems to be.
base::Result<std::string> ReadHead(const std::filesystem::path& path) { return base::ReadFileHead(path, kHeadBytes); }

// Turns `image` upright from the EXIF `orientation` given (not the one its own metadata may carry).
VImage Orient(VImage image, int orientation) {
  image = image.copy();
  image.set(VIPS_META_ORIENTATION, orientation);
  return image.autorot();
}

// A RAW file's preview as an upright vips image, about `side` on its long side (0: as stored), with the sensor
// image's facts. The JPEG bytes the image reads from live as long as it does.
struct RawImage {
  std::shared_ptr<const std::string> jpeg;
  VImage image;
  model::ImageInfo info;
};

// REQUIRES: inside a VError guard.
base::Result<RawImage> LoadRaw(const std::filesystem::path& path, int64_t max_pixels, int side) {
  auto preview = ReadRawPreview(path, max_pixels);
  if (!preview.ok()) return preview.status();
  RawImage out;
  out.info = preview->info;
  if (!preview->jpeg.empty()) {
    out.jpeg = std::make_shared<const std::string>(std::move(preview->jpeg));
    const std::string& jpeg = *out.jpeg;
    if (model::DetectImageFormat(reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size()) != "jpeg") {
      return base::Status::Corrupt("RAW decoder: the embedded preview is not a JPEG");
    }
    VImage header =
        VImage::new_from_buffer(jpeg.data(), jpeg.size(), "", VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    const int shrink = side > 0 ? JpegShrinkFor(header, side) : 1;
    out.image = VImage::new_from_buffer(jpeg.data(), jpeg.size(), "", JpegOptions(shrink));
  } else {
    // A copy the image owns: the preview's pixels are gone when this returns.
    const model::RgbImage& bitmap = preview->bitmap;
    VipsImage* copy = vips_image_new_from_memory_copy(bitmap.pixels.data(), bitmap.pixels.size(), bitmap.width,
                                                      bitmap.height, 3, VIPS_FORMAT_UCHAR);
    if (copy == nullptr) throw vips::VError();
    out.image = VImage(copy);
  }
  if (!preview->upright) out.image = Orient(out.image, out.info.orientation);
  const int longest = std::max(out.image.width(), out.image.height());
  if (side > 0 && longest > side) out.image = out.image.resize(static_cast<double>(side) / longest);
  return out;
}

base::Result<Decoded> DecodeRaw(const std::filesystem::path& path, const DecodeOptions& options) {
  InitVips();
  try {
    auto raw = LoadRaw(path, options.max_pixels, std::clamp(options.max_side_px, 32, 16384));
    if (!raw.ok()) return raw.status();
    Decoded out{raw->info, ToRgb(raw->image)};
    if (out.image.empty()) return base::Status::Corrupt("decoder returned an empty image");
    return out;
  } catch (const vips::VError& e) {
    return base::Status::Corrupt(fmt::format("RAW preview: {}", VipsMessage(e)));
  }
}

}  // namespace

base::Result<model::ImageInfo> internal::LibvipsHeaderInfo(const std::filesystem::path& path) {
  auto head = ReadHead(path);
  if (!head.ok()) return head.status();
  auto format = SniffFormat(*head);
  if (!format.ok()) return format.status();
  InitVips();
  try {
    return ReadInfo(VImage::new_from_file(path.c_str(), VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL)),
                    *format);
  } catch (const vips::VError& e) {
    return base::Status::Corrupt(VipsMessage(e, *format));
  }
}

void StartDecoders() { InitVips(); }

base::Result<Decoded> DecodeImage(const std::filesystem::path& path, const DecodeOptions& options) {
  auto read = ReadHead(path);
  if (!read.ok()) return read.status();
  const std::string& head = *read;
  if (IsRawFile(path, head)) return DecodeRaw(path, options);
  std::string file = path.string();
  // A JPEG's or PNG's bytes for the direct paths (read from the page cache: intake has just copied or hashed the file).
  std::optional<std::string> bytes;
  const std::string sniffed =
      model::DetectImageFormat(reinterpret_cast<const unsigned char*>(head.data()), head.size());
  if (sniffed == "jpeg" || sniffed == "png") {
    if (auto read_all = base::ReadFile(path); read_all.ok()) bytes = std::move(*read_all);
  }
  // The format is known from the magic bytes: JPEG and PNG go to their loader directly, without vips asking every
  // loader whether it knows the file (each opens it; 10% of the CPU of a duplicates-only ingest).
  auto decoded = DecodeWith(
      head, options,
      [&](const std::string& format) {
        auto* sequential = VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL);
        if (format == "jpeg") return VImage::jpegload(file.c_str(), sequential);
        if (format == "png") return VImage::pngload(file.c_str(), sequential);
        return VImage::new_from_file(file.c_str(), sequential);
      },
      [&](const std::string& format, int side, const VImage& header) {
        return LoadFileWithin(file, format, side, header, options);
      },
      bytes ? &*bytes : nullptr);
  if (decoded.ok() && decoded->info.format == "tiff" && decoded->info.taken_at.empty() &&
      decoded->info.camera.empty()) {
    FillTiffExif(path, decoded->info);
  }
  return decoded;
}

base::Result<Decoded> DecodeImage(const std::filesystem::path& path, const std::string& bytes,
                                  const DecodeOptions& options) {
  const std::string head = bytes.substr(0, kHeadBytes);
  const std::string format = model::DetectImageFormat(reinterpret_cast<const unsigned char*>(head.data()), head.size());
  if ((format != "jpeg" && format != "png") || IsRawFile(path, head)) return DecodeImage(path, options);
  // The header (size, orientation, EXIF) from the bytes too: libvips reads files and memory through the same loader.
  // libvips is started only if the direct path leaves the image to it (DecodeWith asks for the header first): a batch
  // of JPEGs and PNGs never loads its modules.
  std::unique_ptr<VipsBlob, void (*)(VipsBlob*)> blob(nullptr, [](VipsBlob* b) { vips_area_unref(VIPS_AREA(b)); });
  const std::string file = path.string();
  auto decoded = DecodeWith(
      head, options,
      [&](const std::string&) {
        if (!blob) blob.reset(vips_blob_new(nullptr, bytes.data(), bytes.size()));
        auto* sequential = VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL);
        return format == "jpeg" ? VImage::jpegload_buffer(blob.get(), sequential)
                                : VImage::pngload_buffer(blob.get(), sequential);
      },
      [&](const std::string&, int side, const VImage& header) {
        // What the direct path leaves to libvips (CMYK, a warning, a large PNG) is decoded from the file, as ever.
        return LoadFileWithin(file, format, side, header, options);
      },
      &bytes);
  // A failure is told in the file-based path's own words (the loaders' names differ).
  if (!decoded.ok()) return DecodeImage(path, options);
  return decoded;
}

base::Result<Decoded> DecodeImageBuffer(const std::string& bytes, const DecodeOptions& options) {
  std::string head = bytes.substr(0, kHeadBytes);
  return DecodeWith(
      head, options,
      [&](const std::string&) {
        return VImage::new_from_buffer(bytes.data(), bytes.size(), "",
                                       VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
      },
      [&](const std::string& format, int side, const VImage& header) {
        if (format == "jpeg") {
          return ShrinkJpeg(VImage::new_from_buffer(bytes.data(), bytes.size(), "",
                                                    JpegOptions(JpegShrinkFor(header, JpegScaledSide(options)))),
                            side);
        }
        // Released on every path, also when the loader throws (a leak the fuzzer once found).
        std::unique_ptr<VipsBlob, void (*)(VipsBlob*)> blob(vips_blob_new(nullptr, bytes.data(), bytes.size()),
                                                            [](VipsBlob* b) { vips_area_unref(VIPS_AREA(b)); });
        return VImage::thumbnail_buffer(blob.get(), side, ThumbOptions(side));
      },
      &bytes);
}

uint64_t PerceptualHash(const model::RgbImage& image, double fraction) {
  if (image.empty()) return 0;
  cv::Mat full(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
  fraction = std::clamp(fraction, 0.1, 1.0);
  int w = std::max(1, static_cast<int>(image.width * fraction)),
      h = std::max(1, static_cast<int>(image.height * fraction));
  cv::Mat rgb = full(cv::Rect((image.width - w) / 2, (image.height - h) / 2, w, h));
  cv::Mat grey, small;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  // Area averaging first: the hash's own 32x32 resize would alias on a large raster.
  cv::resize(grey, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::Mat hash;
  cv::img_hash::pHash(small, hash);
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i) out = (out << 8) | hash.at<uint8_t>(0, i);
  return out;
}

namespace {

// Writes `image` as an sRGB JPEG (alpha flattened onto white, metadata stripped) to `dest` through a temporary file
// and a rename, so that a reader never sees half a file. `what` names it in errors. REQUIRES: inside a VError guard.
base::Status SaveJpeg(VImage image, const std::filesystem::path& dest, int quality, const char* what) {
  if (image.has_alpha()) image = image.flatten(VImage::option()->set("background", std::vector<double>{255, 255, 255}));
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  std::filesystem::path tmp = dest;
  tmp += ".tmp";
  std::error_code ec;
  try {
    image.jpegsave(tmp.c_str(), VImage::option()->set("Q", quality)->set("strip", true));
  } catch (const vips::VError& e) {
    std::filesystem::remove(tmp, ec);  // never a half-written file left behind
    // The picture was read; writing it out failed (a full disk, a folder gone read-only): an I/O error of this
    // machine, not a damaged photo. A decoding error (the pipeline reads the source as it saves) goes on as one.
    const std::string message = VipsMessage(e);
    if (message.find("No space left") != std::string::npos) {
      return base::Status::Io(fmt::format("no space left on the disk to write the {} {}", what, dest.string()));
    }
    if (message.find("write error") != std::string::npos || message.find("wbuffer_write") != std::string::npos ||
        message.find("for write") != std::string::npos) {
      return base::Status::Io(fmt::format("could not write the {} {}: {}", what, dest.string(), message));
    }
    throw;
  }
  std::filesystem::rename(tmp, dest, ec);
  if (ec) return base::Status::Io(fmt::format("writing {} {}: {}", what, dest.string(), ec.message()));
  return base::Status::Ok();
}

// Saves the region `box` of the upright `image`, widened by `padding` of its size on each side (clipped to the
// image), at most `size_px` on its long side. REQUIRES: inside a VError guard.
base::Status SaveCrop(const VImage& image, const model::Box& box, double padding, int size_px,
                      const std::filesystem::path& dest) {
  const double pad_x = box.width * padding, pad_y = box.height * padding;
  const int left = std::max(0, static_cast<int>(box.x - pad_x));
  const int top = std::max(0, static_cast<int>(box.y - pad_y));
  const int right = std::min(image.width(), static_cast<int>(box.x + box.width + pad_x));
  const int bottom = std::min(image.height(), static_cast<int>(box.y + box.height + pad_y));
  if (right - left < 1 || bottom - top < 1) {
    return base::Status::InvalidArgument(
        fmt::format("the face box lies outside the {}x{} image", image.width(), image.height()));
  }
  VImage crop = image.extract_area(left, top, right - left, bottom - top);
  const int longest = std::max(crop.width(), crop.height());
  if (longest > size_px) crop = crop.resize(static_cast<double>(size_px) / longest);
  return SaveJpeg(crop, dest, 85, "face crop");
}

}  // namespace

base::Status WriteJpegThumbnail(const std::filesystem::path& source, const std::filesystem::path& dest, int size_px,
                                int64_t max_pixels) {
  InitVips();
  try {
    auto head = ReadHead(source);
    if (!head.ok()) return head.status();
    if (IsRawFile(source, *head)) {
      auto raw = LoadRaw(source, max_pixels, size_px);
      if (!raw.ok()) return raw.status();
      return SaveJpeg(raw->image, dest, 82, "thumbnail");
    }
    // The header alone gives the size; a decompression bomb is refused before a single pixel is decoded.
    VImage header = VImage::new_from_file(source.c_str(), VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    if (int64_t{header.width()} * header.height() > max_pixels) {
      return base::Status::Corrupt(fmt::format("image of {}x{} pixels exceeds the limit of {} pixels", header.width(),
                                               header.height(), max_pixels));
    }
    return SaveJpeg(VImage::thumbnail(source.c_str(), size_px, ThumbOptions(size_px)), dest, 82, "thumbnail");
  } catch (const vips::VError& e) {
    return base::Status::Corrupt(fmt::format("thumbnail of {}: {}", source.filename().string(), VipsMessage(e)));
  }
}

base::Status WriteJpegCrop(const std::filesystem::path& source, const std::filesystem::path& dest,
                           const model::Box& box, double padding, int size_px, int64_t max_pixels) {
  InitVips();
  try {
    auto head = ReadHead(source);
    if (!head.ok()) return head.status();
    if (IsRawFile(source, *head)) {
      // Boxes are in the sensor image's pixels; the preview may be smaller.
      auto raw = LoadRaw(source, max_pixels, 0);
      if (!raw.ok()) return raw.status();
      const float scale = static_cast<float>(raw->image.width()) / static_cast<float>(std::max(1, raw->info.width));
      const model::Box scaled{box.x * scale, box.y * scale, box.width * scale, box.height * scale};
      return SaveCrop(raw->image, scaled, padding, size_px, dest);
    }
    VImage image = VImage::new_from_file(source.c_str());
    if (int64_t{image.width()} * image.height() > max_pixels) {
      return base::Status::Corrupt(fmt::format("image of {}x{} pixels exceeds the limit of {} pixels", image.width(),
                                               image.height(), max_pixels));
    }
    return SaveCrop(image.autorot(), box, padding, size_px, dest);
  } catch (const vips::VError& e) {
    return base::Status::Corrupt(fmt::format("face crop of {}: {}", source.filename().string(), VipsMessage(e)));
  }
}

model::RgbImage Oriented(const model::RgbImage& image, int orientation) {
  if (image.empty()) return image;
  // cv::Mat has no const view; the pixels are only read.
  const cv::Mat pixels(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
  return UprightWithin(pixels, orientation, std::max(image.width, image.height));
}

}  // namespace triage::vision
