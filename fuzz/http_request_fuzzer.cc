// libFuzzer target for HTTP request parsing: each input is the bytes of one client connection, served through
// httplib and the project's router (body limits, JSON bodies, ids, query numbers, multipart uploads).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/http_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  triage::fuzz::ServeConnection(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
