// Camera RAW previews through LibRaw.
#include "vision/raw_preview.h"

#include <fmt/format.h>
#include <libraw/libraw.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <memory>

#include "base/files.h"
#include "vision/exif_fields.h"

namespace triage::vision {
namespace {

using namespace std::string_view_literals;

bool HasAt(const std::string& head, size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() && head.compare(offset, magic.size(), magic) == 0;
}

// Extensions of RAW formats stored as TIFF (the signature alone cannot tell them from a TIFF photo).
constexpr std::array<std::string_view, 20> kTiffRawExtensions = {"dng", "nef", "nrw", "arw", "srf", "sr2", "pef",
                                                                 "srw", "3fr", "erf", "kdc", "dcr", "mef", "mos",
                                                                 "iiq", "rwl", "raw", "cr2", "orf", "rw2"};

// LibRaw's `flip` (0, 3, 5, 6; 1, 2, 4, 7 mirrored) as the EXIF orientation it was read from.
int OrientationFromFlip(int flip) {
  constexpr std::array<int, 8> kExif = {1, 2, 4, 3, 5, 8, 6, 7};
  return flip >= 0 && flip < 8 ? kExif[flip] : 1;
}

std::string LocalIsoTime(time_t t) {
  if (t <= 0) return "";
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string Trimmed(const char* text) {
  std::string s(text);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

model::ImageInfo InfoOf(const libraw_data_t& d) {
  model::ImageInfo info;
  info.format = "raw";
  info.orientation = OrientationFromFlip(d.sizes.flip);
  info.width = d.sizes.width;
  info.height = d.sizes.height;
  if (info.orientation >= 5) std::swap(info.width, info.height);
  info.taken_at = LocalIsoTime(d.other.timestamp);
  const std::string make = Trimmed(d.idata.make), model = Trimmed(d.idata.model);
  info.camera = CameraName(make, model);
  info.lens = Trimmed(d.lens.Lens);
  info.iso = d.other.iso_speed;
  info.exposure_s = d.other.shutter;
  info.f_number = d.other.aperture;
  info.focal_length_mm = d.other.focal_len;
  return info;
}

base::Status RawError(const char* step, int rc) {
  return base::Status::Corrupt(fmt::format("RAW decoder: {}: {}", step, libraw_strerror(rc)));
}

using MemImage = std::unique_ptr<libraw_processed_image_t, void (*)(libraw_processed_image_t*)>;

// An 8-bit RGB raster from LibRaw's bitmap (1 or 3 colours, 8 or 16 bits).
base::Result<model::RgbImage> ToRgb(const libraw_processed_image_t& img) {
  if ((img.colors != 1 && img.colors != 3) || (img.bits != 8 && img.bits != 16) || img.width == 0 || img.height == 0) {
    return base::Status::Corrupt(
        fmt::format("RAW decoder: unsupported preview ({} colours, {} bits)", img.colors, img.bits));
  }
  const size_t pixels = size_t{img.width} * img.height, bytes = img.bits / 8;
  if (img.data_size < pixels * img.colors * bytes) return base::Status::Corrupt("RAW decoder: preview is truncated");
  model::RgbImage out;
  out.width = img.width;
  out.height = img.height;
  out.pixels.resize(pixels * 3);
  for (size_t p = 0; p < pixels; ++p) {
    for (int c = 0; c < 3; ++c) {
      const size_t sample = (p * img.colors + (img.colors == 1 ? 0 : c)) * bytes;
      // 16-bit samples are stored in the machine's byte order; keep the high byte.
      uint16_t v = img.data[sample];
      if (bytes == 2) std::memcpy(&v, img.data + sample, 2), v >>= 8;
      out.pixels[p * 3 + c] = static_cast<uint8_t>(v);
    }
  }
  return out;
}

base::Status TakePreview(LibRaw& raw, int64_t max_pixels, RawPreview* out) {
  const libraw_thumbnail_t& thumb = raw.imgdata.thumbnail;
  if (int64_t{thumb.twidth} * thumb.theight > max_pixels) {
    return base::Status::Corrupt(fmt::format("RAW preview of {}x{} pixels exceeds the limit of {} pixels", thumb.twidth,
                                             thumb.theight, max_pixels));
  }
  int rc = 0;
  MemImage img(raw.dcraw_make_mem_thumb(&rc), LibRaw::dcraw_clear_mem);
  if (!img) return RawError("reading the preview", rc);
  if (img->type == LIBRAW_IMAGE_JPEG) {
    out->jpeg.assign(reinterpret_cast<const char*>(img->data), img->data_size);
    return base::Status::Ok();
  }
  auto rgb = ToRgb(*img);
  if (!rgb.ok()) return rgb.status();
  out->bitmap = std::move(rgb.value());
  return base::Status::Ok();
}

// No usable preview: the sensor data demosaiced at half size (LibRaw turns it upright).
base::Status Demosaic(LibRaw& raw, RawPreview* out) {
  raw.imgdata.params.half_size = 1;
  raw.imgdata.params.use_camera_wb = 1;
  raw.imgdata.params.output_bps = 8;
  if (int rc = raw.unpack(); rc != LIBRAW_SUCCESS) return RawError("unpacking", rc);
  if (int rc = raw.dcraw_process(); rc != LIBRAW_SUCCESS) return RawError("demosaicing", rc);
  int rc = 0;
  MemImage img(raw.dcraw_make_mem_image(&rc), LibRaw::dcraw_clear_mem);
  if (!img) return RawError("converting", rc);
  auto rgb = ToRgb(*img);
  if (!rgb.ok()) return rgb.status();
  out->bitmap = std::move(rgb.value());
  out->upright = true;
  return base::Status::Ok();
}

}  // namespace

bool IsRawFile(const std::filesystem::path& path, const std::string& head) {
  if (HasAt(head, 0, "II*\0"sv) && HasAt(head, 8, "CR\x02"sv)) return true;                     // Canon CR2
  if (HasAt(head, 4, "ftypcrx ")) return true;                                                  // Canon CR3
  if (HasAt(head, 0, "IIRO") || HasAt(head, 0, "IIRS") || HasAt(head, 0, "MMOR")) return true;  // Olympus ORF
  if (HasAt(head, 0, "IIU\0"sv)) return true;                                                   // Panasonic RW2
  if (HasAt(head, 0, "FUJIFILMCCD-RAW")) return true;                                           // Fujifilm RAF
  const bool tiff = HasAt(head, 0, "II*\0"sv) || HasAt(head, 0, "MM\0*"sv);
  const std::string ext = base::LowerExtension(path);
  return tiff && std::find(kTiffRawExtensions.begin(), kTiffRawExtensions.end(), ext) != kTiffRawExtensions.end();
}

base::Result<RawPreview> ReadRawPreview(const std::filesystem::path& path, int64_t max_pixels) {
  auto raw = std::make_unique<LibRaw>();  // ~1 MB of state: not on the stack
  if (int rc = raw->open_file(path.c_str()); rc != LIBRAW_SUCCESS) return RawError("opening", rc);
  RawPreview out;
  out.info = InfoOf(raw->imgdata);
  if (int64_t{out.info.width} * out.info.height > max_pixels) {
    return base::Status::Corrupt(fmt::format("image of {}x{} pixels exceeds the limit of {} pixels", out.info.width,
                                             out.info.height, max_pixels));
  }
  const int rc = raw->unpack_thumb();
  const bool usable = rc == LIBRAW_SUCCESS && (raw->imgdata.thumbnail.tformat == LIBRAW_THUMBNAIL_JPEG ||
                                               raw->imgdata.thumbnail.tformat == LIBRAW_THUMBNAIL_BITMAP);
  base::Status taken = usable ? TakePreview(*raw, max_pixels, &out) : Demosaic(*raw, &out);
  if (!taken.ok()) return taken;
  return out;
}

}  // namespace triage::vision
