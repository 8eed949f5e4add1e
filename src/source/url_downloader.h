// Downloads one image from an http(s) URL into a folder, checking size, type and time while streaming.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/ip_network.h"
#include "base/status.h"

namespace triage::source {

// Limits for one download. Each field's unit is in its name.
struct DownloadOptions {
  // Time allowed to establish the TCP (and TLS) connection. > 0.
  int64_t connect_timeout_ms = 10'000;
  // Time allowed for the whole transfer, redirects included. > 0.
  int64_t total_timeout_ms = 300'000;
  // The transfer is aborted when it stays below 1 KB/s for this long. Rounded up to whole seconds (libcurl
  // measures in seconds); 0 disables the check.
  int64_t low_speed_timeout_ms = 30'000;
  // Largest accepted body; refused up front when Content-Length says more, aborted when the stream exceeds it.
  int64_t max_bytes = 200LL * 1024 * 1024;
  // Redirects followed before giving up. >= 0.
  int max_redirects = 5;
  // Sent as the User-Agent header.
  std::string user_agent = "triage/0.1";
  // Special-use networks (loopback, private, link-local, ...; see address_guard.h) a download may still reach,
  // e.g. the owner's LAN. Default: none, so every such address is refused.
  std::vector<base::IpNetwork> allow_private;
};

// A completed download: the file now exists at `path` and belongs to the caller.
struct Download {
  std::filesystem::path path;  // the file written inside dest_dir
  std::string url;             // as requested
  std::string final_url;       // after redirects
  std::string host;            // host of final_url
  std::string format;          // "jpeg", "png", ... decided by the content's magic bytes
  int64_t size_bytes = 0;
  std::string sha256_hex;  // of the bytes written, computed while streaming
};

// Downloads `url` (http or https only, also after redirects) into `dest_dir`, which must exist.
// The URL guard: each hop's host is resolved once, every address it resolves to is checked (address_guard.h),
// and the connection goes to a checked address only (pinned with CURLOPT_RESOLVE and verified again when the
// socket is opened). Redirects are followed here, not by libcurl, so that every hop is checked. No proxy is used.
// The file is streamed to a hidden temporary name in dest_dir, then renamed to a name taken from the final
// URL's last path segment (sanitised; extension set from the sniffed format; "_1", "_2"... appended rather
// than overwriting). On any failure nothing is left in dest_dir and the error names the URL:
//   kInvalidArgument  "unsupported scheme ..." or a malformed URL
//   kNotFound / kUnavailable / kPermissionDenied  "http 404 from <url>" (4xx/5xx by status)
//   kUnavailable      "timed out after N ms ...", "too many redirects (max N) ...", connection errors
//   kPermissionDenied "refused: 127.0.0.1 is a special-use address (loopback); ...: <url>" (the URL guard)
//   kInvalidArgument  "larger than the limit of N bytes ...", "not an image (...)" (never quoting the content)
//   kIo               writing the file failed
// Thread-safe: concurrent calls share nothing (libcurl's global state is initialised once).
base::Result<Download> DownloadUrl(const std::string& url, const std::filesystem::path& dest_dir,
                                   const DownloadOptions& options);

// Ok when `url` is a well-formed http(s) URL naming a host, as DownloadUrl takes it; else kInvalidArgument saying
// what is wrong (credentials left out). Fetches nothing.
base::Status CheckHttpUrl(const std::string& url);

// The scheme of `url` in lower case ("HTTPS://host/" -> "https"; schemes are case-insensitive, RFC 3986), or ""
// when it has none.
std::string UrlScheme(const std::string& url);

}  // namespace triage::source
