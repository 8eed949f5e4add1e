// libcurl-based downloader: streams into a temporary file, hashing and sniffing the bytes on the way.
#include "source/url_downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "base/files.h"
#include "base/ids.h"
#include "fingerprint/sha256.h"
#include "model/image_format.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;
using base::Result;
using base::Status;

constexpr long kLowSpeedBytesPerSecond = 1024;

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

struct UrlParts {
  std::string scheme;
  std::string host;
  std::string path;  // percent-decoded
};

std::optional<std::string> UrlPart(CURLU* handle, CURLUPart part, unsigned flags) {
  char* value = nullptr;
  if (curl_url_get(handle, part, &value, flags) != CURLUE_OK) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

Result<UrlParts> ParseUrl(const std::string& url) {
  std::unique_ptr<CURLU, CurlDeleter> handle(curl_url());
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("malformed URL: {}", url));
  }
  UrlParts parts;
  parts.scheme = UrlPart(handle.get(), CURLUPART_SCHEME, 0).value_or("");
  parts.host = UrlPart(handle.get(), CURLUPART_HOST, 0).value_or("");
  parts.path = UrlPart(handle.get(), CURLUPART_PATH, CURLU_URLDECODE).value_or("");
  return parts;
}

// "\"<!DOCTYPE ht\"" for text, with \xNN for bytes that are not printable ASCII.
std::string Printable(const std::string& bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "\"";
}

// State of one transfer, shared with libcurl's write callback.
struct Transfer {
  int fd = -1;
  int64_t max_bytes = 0;
  int64_t written = 0;
  std::string head;    // the first kFormatSniffBytes bytes
  std::string format;  // set once head is complete
  bool too_large = false;
  bool not_image = false;
  Status write_error;
  fingerprint::Sha256Hasher hasher;
};

bool WriteAll(Transfer& transfer, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(transfer.fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      transfer.write_error = Status::Io(fmt::format("writing the download failed: {}", std::strerror(errno)));
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Returning fewer bytes than given makes libcurl abort the transfer with CURLE_WRITE_ERROR.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  Transfer& transfer = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (transfer.written + static_cast<int64_t>(n) > transfer.max_bytes) {
    transfer.too_large = true;
    return 0;
  }
  if (transfer.head.size() < model::kFormatSniffBytes) {
    transfer.head.append(data, std::min(n, model::kFormatSniffBytes - transfer.head.size()));
    if (transfer.head.size() == model::kFormatSniffBytes) {
      transfer.format =
          model::DetectImageFormat(reinterpret_cast<const unsigned char*>(transfer.head.data()), transfer.head.size());
      if (transfer.format.empty()) {
        transfer.not_image = true;
        return 0;
      }
    }
  }
  if (!WriteAll(transfer, data, n)) return 0;
  transfer.hasher.Update(reinterpret_cast<const unsigned char*>(data), n);
  transfer.written += static_cast<int64_t>(n);
  return n;
}

void Configure(CURL* curl, const std::string& url, const DownloadOptions& options, Transfer& transfer,
               char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout_ms));
  if (options.low_speed_timeout_ms > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>((options.low_speed_timeout_ms + 999) / 1000));
  }
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // signals are process-wide; timeouts must not use them
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
}

Status HttpError(CURL* curl, const std::string& url) {
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  std::string msg = fmt::format("http {} from {}", code, effective != nullptr ? effective : url.c_str());
  if (code == 404 || code == 410) return Status::NotFound(msg);
  if (code == 401 || code == 403) return Status::PermissionDenied(msg);
  return Status::Unavailable(msg);
}

// Turns a failed curl_easy_perform into a message naming the cause and the URL.
Status TransferError(CURLcode code, CURL* curl, const Transfer& transfer, const std::string& url,
                     const char* error_buffer, int64_t elapsed_ms, const DownloadOptions& options) {
  if (!transfer.write_error.ok()) return transfer.write_error.WithContext(url);
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return Status::InvalidArgument(fmt::format("larger than the limit of {} bytes: {}", options.max_bytes, url));
  }
  if (transfer.not_image) {
    return Status::InvalidArgument(
        fmt::format("not an image (content starts with {}): {}", Printable(transfer.head), url));
  }
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  switch (code) {
    case CURLE_HTTP_RETURNED_ERROR:
      return HttpError(curl, url);
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(fmt::format("timed out after {} ms ({}): {}", elapsed_ms, detail, url));
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::Unavailable(fmt::format("too many redirects (max {}): {}", options.max_redirects, url));
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(fmt::format("redirected to an unsupported scheme (only http and https): {}", url));
    default:
      return Status::Unavailable(fmt::format("download failed ({}): {}", detail, url));
  }
}

// The name the file gets in dest_dir: the final URL's last path segment with the sniffed format's extension.
std::string FileNameFor(const std::string& final_url, const std::string& format) {
  std::string segment;
  if (auto parts = ParseUrl(final_url); parts.ok()) {
    const std::string& path = parts->path;
    segment = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  }
  if (segment.empty()) segment = "download";
  fs::path name = base::SanitizeFileName(segment);
  name.replace_extension(model::ExtensionForFormat(format));
  return name.string();
}

Result<fs::path> PublishFile(const fs::path& tmp, const fs::path& dest_dir, const std::string& name) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path target = base::FirstFreeName(dest_dir, name);
    Status st = base::RenameNoReplace(tmp, target);
    if (st.ok()) {
      TRIAGE_RETURN_IF_ERROR(base::SyncDirectory(dest_dir));
      return target;
    }
    if (st.code() != base::Code::kAlreadyExists) return st;  // another writer took the name: try the next
  }
  return Status::AlreadyExists(fmt::format("no free file name for {} in {}", name, dest_dir.string()));
}

// Runs the transfer into `transfer.fd`; on success fills everything but `path`.
Result<Download> Fetch(const std::string& url, const DownloadOptions& options, Transfer& transfer) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Unavailable("libcurl could not create a transfer");
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Configure(curl.get(), url, options, transfer, error_buffer);
  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl.get());
  const int64_t elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (code != CURLE_OK) return TransferError(code, curl.get(), transfer, url, error_buffer, elapsed_ms, options);
  if (transfer.format.empty()) {  // bodies shorter than the sniff window are only judged at the end
    transfer.format =
        model::DetectImageFormat(reinterpret_cast<const unsigned char*>(transfer.head.data()), transfer.head.size());
    if (transfer.format.empty()) {
      return Status::InvalidArgument(fmt::format("not an image (content starts with {}): {}",
                                                 transfer.head.empty() ? "nothing" : Printable(transfer.head), url));
    }
  }
  char* effective = nullptr;
  curl_easy_getinfo(curl.get(), CURLINFO_EFFECTIVE_URL, &effective);
  Download download;
  download.url = url;
  download.final_url = effective != nullptr ? effective : url;
  download.format = transfer.format;
  download.size_bytes = transfer.written;
  download.sha256_hex = transfer.hasher.HexDigest();
  return download;
}

}  // namespace

Result<Download> DownloadUrl(const std::string& url, const fs::path& dest_dir, const DownloadOptions& options) {
  EnsureCurlInitialized();
  Result<UrlParts> parts = ParseUrl(url);
  if (!parts.ok()) return parts.status();
  if (parts->scheme != "http" && parts->scheme != "https") {
    return Status::InvalidArgument(
        fmt::format("unsupported scheme \"{}\" (only http and https): {}", parts->scheme, url));
  }
  const fs::path tmp = dest_dir / fmt::format(".triage-download-{}.part", base::RandomId());
  Transfer transfer;
  transfer.max_bytes = options.max_bytes;
  transfer.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (transfer.fd < 0) {
    return Status::Io(fmt::format("creating {}: {}", tmp.string(), std::strerror(errno)));
  }
  Result<Download> download = Fetch(url, options, transfer);
  Status synced = ::fsync(transfer.fd) == 0 ? Status::Ok() : Status::Io(fmt::format("syncing {}", tmp.string()));
  ::close(transfer.fd);
  if (download.ok() && !synced.ok()) download = synced;
  if (download.ok()) {
    Result<fs::path> path = PublishFile(tmp, dest_dir, FileNameFor(download->final_url, download->format));
    if (path.ok()) {
      download->path = *path;
      if (auto final_parts = ParseUrl(download->final_url); final_parts.ok()) download->host = final_parts->host;
      return download;
    }
    download = path.status();
  }
  std::error_code ignored;
  fs::remove(tmp, ignored);
  return download;
}

}  // namespace triage::source
