// libFuzzer entry point for the decoder: any bytes must give an image or a clear error, never a crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "vision/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  // Small limits keep each run fast: a bomb header is refused before any pixel is decoded.
  triage::vision::DecodeOptions options{.max_side_px = 256, .max_pixels = 16'000'000};
  auto decoded = triage::vision::DecodeImageBuffer(bytes, options);
  if (decoded.ok() && decoded->image.pixels.size() !=
                          static_cast<size_t>(decoded->image.width) * static_cast<size_t>(decoded->image.height) * 3) {
    __builtin_trap();  // the raster must match its dimensions
  }
  return 0;
}
