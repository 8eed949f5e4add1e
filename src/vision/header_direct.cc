// JPEG and PNG headers without libvips: libjpeg-turbo for a JPEG's frame and markers, the PNG chunks by hand, libexif
// for EXIF as libvips 8.14 reads it. The libvips header load cost ~80 us of CPU per photo, most of it turning every
// EXIF tag into a metadata string; this reads the dozen fields ReadInfo asks for.
#include "vision/header_direct.h"

#include <glib.h>
#include <libdeflate.h>
#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>

#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "vision/exif_fields.h"

namespace triage::vision::internal {
namespace {

ExifData* AsExif(void* data) { return static_cast<ExifData*>(data); }

// An integer component of an entry of one of the four integer formats, as libvips reads it (false for other formats).
bool IntComponent(const ExifEntry* e, ExifByteOrder order, unsigned long i, int& out) {
  const unsigned char* at = e->data + i * (e->size / e->components);
  switch (e->format) {
    case EXIF_FORMAT_SHORT:
      out = exif_get_short(at, order);
      return true;
    case EXIF_FORMAT_SSHORT:
      out = exif_get_sshort(at, order);
      return true;
    case EXIF_FORMAT_LONG:
      out = static_cast<int>(exif_get_long(at, order));
      return true;
    case EXIF_FORMAT_SLONG:
      out = exif_get_slong(at, order);
      return true;
    default:
      return false;
  }
}

// libexif's text of an entry, in libvips's 256-byte buffer.
std::string EntryText(ExifEntry* e) {
  char text[256] = {};
  exif_entry_get_value(e, text, sizeof text);
  return text;
}

// An entry as libvips 8.14 writes it into its metadata field: the value (ASCII as stored, up to its first NUL and at
// most 254 bytes; the raw components of an integer or rational value of fewer than ten; else libexif's text), then
// "(text, format, n components, size bytes)", all of it cut to the 251 bytes its buffer holds; a field that is not
// UTF-8 is replaced by libvips's words for it.
std::string FieldOf(ExifData* data, ExifEntry* e) {
  const ExifByteOrder order = exif_data_get_byte_order(data);
  std::string out;
  char number[48];
  int value = 0;
  if (e->format == EXIF_FORMAT_ASCII) {
    const size_t size = std::min<size_t>(254, e->size);
    const char* ascii = reinterpret_cast<const char*>(e->data);
    out.assign(ascii, std::find(ascii, ascii + size, '\0'));
    out += ' ';
  } else if (e->components < 10 && IntComponent(e, order, 0, value)) {
    for (unsigned long i = 0; i < e->components; ++i) {
      IntComponent(e, order, i, value);
      std::snprintf(number, sizeof number, "%d ", value);
      out += number;
    }
  } else if (e->components < 10 && e->format == EXIF_FORMAT_RATIONAL) {
    for (unsigned long i = 0; i < e->components; ++i) {
      const ExifRational r = exif_get_rational(e->data + i * (e->size / e->components), order);
      std::snprintf(number, sizeof number, "%u/%u ", r.numerator, r.denominator);
      out += number;
    }
  } else if (e->components < 10 && e->format == EXIF_FORMAT_SRATIONAL) {
    for (unsigned long i = 0; i < e->components; ++i) {
      const ExifSRational r = exif_get_srational(e->data + i * (e->size / e->components), order);
      std::snprintf(number, sizeof number, "%d/%d ", r.numerator, r.denominator);
      out += number;
    }
  } else {
    out += EntryText(e) + " ";
  }
  const char* format = exif_format_get_name(e->format);
  out += "(" + EntryText(e) + ", " + (format ? format : "(null)") + ", " + std::to_string(e->components) +
         " components, " + std::to_string(e->size) + " bytes)";
  constexpr size_t kLibvipsFieldBytes = 251;
  if (out.size() > kLibvipsFieldBytes) out.resize(kLibvipsFieldBytes);
  // libvips keeps no string that is not UTF-8, in its words.
  if (!g_utf8_validate(out.data(), static_cast<gssize>(out.size()), nullptr)) return "<invalid utf-8 string>";
  return out;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};

void OnError(j_common_ptr info) { std::longjmp(reinterpret_cast<JpegError*>(info->err)->jump, 1); }
void OnMessage(j_common_ptr, int) {}  // warnings: the decode that follows meets them and says what they are

uint32_t BigEndian(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

// ImageInfo from a size and an EXIF block (maybe none), as ReadInfo makes it from a libvips header: the orientation
// from ifd0's Orientation as libvips takes it (its leading number, 1 when outside 1..8; absent: left at 1).
model::ImageInfo InfoOf(const std::string& format, int width, int height, const ExifBlock* exif) {
  auto field = [&](const char* name) { return exif ? exif->Field(name) : std::string(); };
  std::optional<int> orientation;
  if (const std::string o = field("exif-ifd0-Orientation"); !o.empty()) {
    const int n = std::atoi(o.c_str());
    orientation = n < 1 || n > 8 ? 1 : n;
  }
  return HeaderInfo(format, width, height, orientation, field);
}

std::optional<model::ImageInfo> JpegInfo(std::string_view bytes) {
  jpeg_decompress_struct cinfo;
  JpegError error;
  cinfo.err = jpeg_std_error(&error.mgr);
  error.mgr.error_exit = OnError;
  error.mgr.emit_message = OnMessage;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return std::nullopt;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header(&cinfo, TRUE);
  // libvips keeps the first APP1 block that starts "Exif" (an XMP block starts "http").
  std::unique_ptr<ExifBlock> exif;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 4 && std::memcmp(m->data, "Exif", 4) == 0) {
      exif = std::make_unique<ExifBlock>(std::string_view(reinterpret_cast<const char*>(m->data), m->data_length));
      break;
    }
  }
  model::ImageInfo info =
      InfoOf("jpeg", static_cast<int>(cinfo.image_width), static_cast<int>(cinfo.image_height), exif.get());
  jpeg_destroy_decompress(&cinfo);
  return info;
}

// A PNG's size from IHDR, when it is a PNG libpng reads the header of (IHDR first with a right CRC and a valid
// colour type and depth, image data before the end) and has no EXIF chunk before its image data. A PNG with EXIF there
// (rare), one wider or taller than libpng reads by default, or a header that is not right is left to libvips: its
// errors and its reading stay the ones users see.
std::optional<model::ImageInfo> PngInfo(std::string_view bytes) {
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 8 + 25 || std::memcmp(data, kSignature, 8) != 0) return std::nullopt;
  if (BigEndian(data + 8) != 13 || std::memcmp(data + 12, "IHDR", 4) != 0) return std::nullopt;
  if (libdeflate_crc32(0, data + 12, 17) != BigEndian(data + 29)) return std::nullopt;
  const uint32_t width = BigEndian(data + 16), height = BigEndian(data + 20);
  const unsigned depth = data[24], colour = data[25];
  const bool valid_depth = colour == 0   ? (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)
                           : colour == 3 ? (depth == 1 || depth == 2 || depth == 4 || depth == 8)
                                         : (colour == 2 || colour == 4 || colour == 6) && (depth == 8 || depth == 16);
  if (!valid_depth || data[26] != 0 || data[27] != 0 || data[28] > 1) return std::nullopt;
  constexpr uint32_t kLibpngMaxSide = 1000000;  // PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX
  if (width == 0 || height == 0 || width > kLibpngMaxSide || height > kLibpngMaxSide) return std::nullopt;
  for (size_t at = 8; at + 12 <= bytes.size();) {
    const uint32_t length = BigEndian(data + at);
    if (length > 0x7fffffffu || bytes.size() - at - 12 < length) return std::nullopt;  // cut short
    const std::string_view name(reinterpret_cast<const char*>(data + at + 4), 4);
    if (name == "eXIf" || name == "IEND") return std::nullopt;
    if (name == "IDAT") return InfoOf("png", static_cast<int>(width), static_cast<int>(height), nullptr);
    at += size_t{length} + 12;
  }
  return std::nullopt;
}

}  // namespace

ExifBlock::ExifBlock(std::string_view block) {
  // As libvips loads it: at most 1 MB, no defaults filled in.
  if (block.size() < 6 || block.size() > (1u << 20) || block.substr(0, 4) != "Exif") return;
  ExifData* data = exif_data_new();
  if (data == nullptr) return;
  exif_data_unset_option(data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(data, reinterpret_cast<const unsigned char*>(block.data()), static_cast<unsigned>(block.size()));
  // libvips has libexif add the required fields before it reads them.
  exif_data_fix(data);
  data_ = data;
}

ExifBlock::~ExifBlock() {
  if (data_ != nullptr) exif_data_unref(AsExif(data_));
}

std::string ExifBlock::Field(const std::string& name) const {
  // "exif-ifd<N>-<tag name>"
  if (data_ == nullptr || name.size() < 11 || name.compare(0, 8, "exif-ifd") != 0 || name[9] != '-') return "";
  const int ifd = name[8] - '0';
  if (ifd < 0 || ifd >= EXIF_IFD_COUNT) return "";
  const std::string tag_name = name.substr(10);
  ExifData* data = AsExif(data_);
  for (unsigned i = 0; i < data->ifd[ifd]->count; ++i) {
    ExifEntry* e = data->ifd[ifd]->entries[i];
    const char* named = exif_tag_get_name_in_ifd(e->tag, static_cast<ExifIfd>(ifd));
    if (named != nullptr && tag_name == named) return FieldOf(data, e);
  }
  return "";
}

std::optional<model::ImageInfo> HeaderInfoDirect(const std::string& format, std::string_view bytes) {
  if (format == "jpeg") return JpegInfo(bytes);
  if (format == "png") return PngInfo(bytes);
  return std::nullopt;
}

}  // namespace triage::vision::internal
