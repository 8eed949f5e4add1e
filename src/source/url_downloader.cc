// libcurl-based downloader: streams into a temporary file, hashing and sniffing the bytes on the way.
#include "source/url_downloader.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "base/files.h"
#include "base/ids.h"
#include "base/url_text.h"
#include "fingerprint/sha256.h"
#include "model/image_format.h"
#include "source/address_guard.h"

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
  std::string host;  // IPv6 literals in brackets, as libcurl gives them
  std::string port;  // the scheme's default when the URL names none
  std::string path;  // percent-decoded
};

std::optional<std::string> UrlPart(CURLU* handle, CURLUPart part, unsigned flags) {
  char* value = nullptr;
  if (curl_url_get(handle, part, &value, flags) != CURLUE_OK) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

// `text` with the user name and password of every URL in it left out ("http://user:pw@host/" -> "http://host/"):
// errors and the stored origin never repeat credentials.
std::string WithoutCredentials(const std::string& text) { return base::WithoutUrlCredentials(text); }

Status Redacted(const Status& s) {
  if (s.ok()) return s;
  std::string m = WithoutCredentials(s.message());
  switch (s.code()) {
    case base::Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(m));
    case base::Code::kPermissionDenied:
      return Status::PermissionDenied(std::move(m));
    case base::Code::kNotFound:
      return Status::NotFound(std::move(m));
    case base::Code::kIo:
      return Status::Io(std::move(m));
    case base::Code::kCorrupt:
      return Status::Corrupt(std::move(m));
    default:
      return Status::Unavailable(std::move(m));
  }
}

// `text` with its %XX escapes decoded; a control character (%00, %0A, %09 ...) becomes "_" rather than making the
// whole path undecodable (libcurl refuses to decode %00, and the file was named "download").
std::string PercentDecoded(const std::string& text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      const auto byte = static_cast<unsigned char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      out.push_back(byte < 0x20 || byte == 0x7f ? '_' : static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Longer URLs are refused before anything reads them (what common web servers accept in a request line).
constexpr size_t kMaxUrlLength = 8192;

Result<UrlParts> ParseUrl(const std::string& url) {
  if (url.size() > kMaxUrlLength) {
    // Credentials are left out before the excerpt is cut: a cut before the "@" would keep them.
    return Status::InvalidArgument(fmt::format("URL too long: {} characters, at most {} are taken ({}...)", url.size(),
                                               kMaxUrlLength, WithoutCredentials(url).substr(0, 80)));
  }
  // libcurl reads "http:///x" as the host x; an http(s) URL whose authority is empty names no host.
  if (const size_t scheme_end = url.find("://");
      scheme_end != std::string::npos && url.compare(scheme_end + 3, 1, "/") == 0) {
    const std::string scheme = UrlScheme(url);
    if (scheme == "http" || scheme == "https") {
      return Status::InvalidArgument(fmt::format("malformed URL (no host): {}", url));
    }
  }
  std::unique_ptr<CURLU, CurlDeleter> handle(curl_url());
  // libcurl's words name the part that is wrong ("Port number was not a decimal number between 0 and 65535").
  if (const CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
      rc != CURLUE_OK) {
    return Status::InvalidArgument(fmt::format("malformed URL ({}): {}", curl_url_strerror(rc), url));
  }
  UrlParts parts;
  parts.scheme = UrlPart(handle.get(), CURLUPART_SCHEME, 0).value_or("");
  parts.host = UrlPart(handle.get(), CURLUPART_HOST, 0).value_or("");
  parts.port = UrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("");
  parts.path = PercentDecoded(UrlPart(handle.get(), CURLUPART_PATH, 0).value_or(""));
  return parts;
}

bool IsHttp(const UrlParts& parts) { return parts.scheme == "http" || parts.scheme == "https"; }

// The parts of an http(s) URL naming a host, as given (before anything is fetched); what is wrong with it otherwise.
Result<UrlParts> HttpUrlParts(const std::string& url) {
  Result<UrlParts> parts = ParseUrl(url);
  if (!parts.ok()) return parts.status();
  if (!IsHttp(*parts)) {
    return Status::InvalidArgument(
        fmt::format("unsupported scheme \"{}\" (only http and https): {}", parts->scheme, url));
  }
  if (parts->host.empty()) return Status::InvalidArgument(fmt::format("malformed URL (no host): {}", url));
  return parts;
}

// State of one transfer, shared with libcurl's write callback.
struct Transfer {
  CURL* curl = nullptr;                  // the current hop's handle
  std::vector<base::IpAddress> checked;  // the current hop's addresses, each passed by the URL guard
  Status refused;                        // set when libcurl tried to connect anywhere else
  int fd = -1;
  int64_t max_bytes = 0;
  int64_t written = 0;
  std::string head;    // the first kFormatSniffBytes bytes
  std::string format;  // set once head is complete
  bool too_large = false;
  bool not_image = false;
  bool redirect_cut = false;  // a redirect's body was not read (the next hop needs only its Location)
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
  long code = 0;
  curl_easy_getinfo(transfer.curl, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 300 && code < 400) {
    // A redirect's body is never kept, and not read either: counted nowhere, an endless one was taken in until the
    // total timeout (22 GB against a 1 MB limit).
    transfer.redirect_cut = true;
    return 0;
  }
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

// Never quotes the content: a response's bytes may be anything (an internal page, a secret) and go to logs and UIs.
Status NotAnImage(const Transfer& transfer, const std::string& url) {
  if (transfer.head.empty()) {
    return Status::InvalidArgument(fmt::format("not an image: the server sent an empty body: {}", url));
  }
  return Status::InvalidArgument(
      fmt::format("not an image (the first {} bytes match no supported image format): {}", transfer.head.size(), url));
}

// libcurl calls this for every socket it would connect; anything but an address the guard checked for this hop is
// refused, so neither a second resolution nor a proxy can take the connection elsewhere.
curl_socket_t OpenCheckedSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  Transfer& transfer = *static_cast<Transfer*>(user);
  auto ip = AddressOf(&address->addr);
  if (purpose != CURLSOCKTYPE_IPCXN || !ip ||
      std::find(transfer.checked.begin(), transfer.checked.end(), *ip) == transfer.checked.end()) {
    transfer.refused = Status::PermissionDenied(
        fmt::format("refused: connection to {}, an address the URL guard did not check", ip ? ip->ToString() : "?"));
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// "host:port:addr,addr": libcurl uses these addresses instead of resolving the host itself.
std::string ResolveEntry(const UrlParts& parts, const std::vector<base::IpAddress>& addresses) {
  std::string entry = fmt::format("{}:{}:", parts.host, parts.port);
  for (size_t i = 0; i < addresses.size(); ++i) {
    const auto& a = addresses[i];
    entry += fmt::format("{}{}", i == 0 ? "" : ",", a.v6 ? "[" + a.ToString() + "]" : a.ToString());
  }
  return entry;
}

void Configure(CURL* curl, const std::string& url, const DownloadOptions& options, int64_t timeout_ms,
               Transfer& transfer, char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // Fetch follows redirects, checking each hop
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");        // a proxy would resolve the host again, unchecked
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &OpenCheckedSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
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
  if (!transfer.refused.ok()) return Status::PermissionDenied(fmt::format("{}: {}", transfer.refused.message(), url));
  if (!transfer.write_error.ok()) return transfer.write_error.WithContext(url);
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return Status::InvalidArgument(fmt::format("larger than the limit of {} bytes: {}", options.max_bytes, url));
  }
  if (transfer.not_image) return NotAnImage(transfer, url);
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  switch (code) {
    case CURLE_HTTP_RETURNED_ERROR:
      return HttpError(curl, url);
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(fmt::format("timed out after {} ms ({}): {}", elapsed_ms, detail, url));
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
  return model::LibraryFileName(segment, format);
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

int64_t ElapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// A redirect's Location header, resolved against `url` (libcurl's CURLINFO_REDIRECT_URL is filled only when a
// transfer ends, and a redirect's body is not read to its end). As given when it does not resolve: ParseUrl then
// says what is wrong with it.
std::optional<std::string> LocationOf(CURL* curl, const std::string& url) {
  curl_header* header = nullptr;
  if (curl_easy_header(curl, "Location", 0, CURLH_HEADER, -1, &header) != CURLHE_OK || header == nullptr) {
    return std::nullopt;
  }
  const std::string given = header->value;
  std::unique_ptr<CURLU, CurlDeleter> resolved(curl_url());
  if (curl_url_set(resolved.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
      curl_url_set(resolved.get(), CURLUPART_URL, given.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return given;
  }
  char* full = nullptr;
  if (curl_url_get(resolved.get(), CURLUPART_URL, &full, 0) != CURLUE_OK || full == nullptr) return given;
  std::string out(full);
  curl_free(full);
  return out;
}

// One request to `url`, whose host resolved to `transfer.checked`. The redirect target when the answer is a
// redirect, "" when it is the final answer (its body then is in `transfer`).
Result<std::string> PerformHop(const std::string& url, const UrlParts& parts, const DownloadOptions& options,
                               std::chrono::steady_clock::time_point start, Transfer& transfer) {
  const int64_t remaining_ms = options.total_timeout_ms - ElapsedMs(start);
  if (remaining_ms <= 0) return Status::Unavailable(fmt::format("timed out after {} ms: {}", ElapsedMs(start), url));
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Unavailable("libcurl could not create a transfer");
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Configure(curl.get(), url, options, remaining_ms, transfer, error_buffer);
  // An IPv6 literal is never resolved by libcurl; OpenCheckedSocket still checks where it connects.
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> resolve(nullptr, curl_slist_free_all);
  if (parts.host.front() != '[') {
    resolve.reset(curl_slist_append(nullptr, ResolveEntry(parts, transfer.checked).c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_RESOLVE, resolve.get());
  }
  transfer.curl = curl.get();
  transfer.redirect_cut = false;
  const CURLcode code = curl_easy_perform(curl.get());
  const bool redirect_cut = code == CURLE_WRITE_ERROR && transfer.redirect_cut;
  if (code != CURLE_OK && !redirect_cut)
    return TransferError(code, curl.get(), transfer, url, error_buffer, ElapsedMs(start), options);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 300 || status >= 400) return std::string();
  std::optional<std::string> location = LocationOf(curl.get(), url);
  if (!location) return Status::Unavailable(fmt::format("http {} without a Location from {}", status, url));
  if (location->find_first_not_of(" \t\r\n") == std::string::npos) {  // libcurl may leave an empty value's CR
    return Status::Unavailable(fmt::format("http {} with an empty Location from {}", status, url));
  }
  return *location;
}

// Resolves and checks the hop's host (the URL guard); the error names the hop and, after a redirect, the start.
Status GuardHop(const std::string& hop, const UrlParts& parts, const std::string& url, const DownloadOptions& options,
                Transfer& transfer) {
  auto checked = ResolveAndCheck(parts.host, options.allow_private);
  if (checked.ok()) {
    transfer.checked = std::move(*checked);
    return Status::Ok();
  }
  std::string msg = fmt::format("{}: {}", checked.status().message(), hop);
  if (hop != url) msg += fmt::format(" (redirected from {})", url);
  return checked.status().code() == base::Code::kPermissionDenied ? Status::PermissionDenied(msg)
                                                                  : Status::Unavailable(msg);
}

// Follows `url` hop by hop, each one through the URL guard, into `transfer.fd`; fills everything but `path`.
Result<Download> Fetch(const std::string& url, const DownloadOptions& options, Transfer& transfer) {
  const auto start = std::chrono::steady_clock::now();
  std::string hop = url;
  for (int redirects = 0;; ++redirects) {
    Result<UrlParts> parts = ParseUrl(hop);
    // A redirect to something that is no URL is the remote server's fault, not the request's.
    if (!parts.ok() && hop != url) {
      return Status::Unavailable(
          fmt::format("a redirect to what is no URL to fetch: {} (redirected from {})", parts.status().message(), url));
    }
    if (!parts.ok()) return parts.status();
    if (!IsHttp(*parts)) {
      return Status::InvalidArgument(
          fmt::format("redirected to an unsupported scheme \"{}\" (only http and https): {} (redirected from {})",
                      parts->scheme, hop, url));
    }
    if (parts->host.empty()) return Status::InvalidArgument(fmt::format("malformed URL (no host): {}", hop));
    TRIAGE_RETURN_IF_ERROR(GuardHop(hop, *parts, url, options, transfer));
    Result<std::string> next = PerformHop(hop, *parts, options, start, transfer);
    if (!next.ok()) return next.status();
    if (next->empty()) break;
    if (redirects == options.max_redirects) {
      return Status::Unavailable(fmt::format("too many redirects (max {}): {}", options.max_redirects, url));
    }
    hop = *next;
  }
  if (transfer.format.empty()) {  // bodies shorter than the sniff window are only judged at the end
    transfer.format =
        model::DetectImageFormat(reinterpret_cast<const unsigned char*>(transfer.head.data()), transfer.head.size());
    if (transfer.format.empty()) return NotAnImage(transfer, url);
  }
  Download download;
  download.url = url;
  download.final_url = hop;
  download.format = transfer.format;
  download.size_bytes = transfer.written;
  download.sha256_hex = transfer.hasher.HexDigest();
  return download;
}

}  // namespace

namespace {

// DownloadUrl before its errors and URLs lose their credentials.
Result<Download> DownloadWithCredentials(const std::string& url, const fs::path& dest_dir,
                                         const DownloadOptions& options) {
  EnsureCurlInitialized();
  TRIAGE_RETURN_IF_ERROR(HttpUrlParts(url).status());
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

}  // namespace

Status CheckHttpUrl(const std::string& url) {
  EnsureCurlInitialized();
  return Redacted(HttpUrlParts(url).status());
}

std::string UrlScheme(const std::string& url) {
  const size_t end = url.find("://");
  std::string scheme = end == std::string::npos ? std::string() : url.substr(0, end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  return scheme;
}

Result<Download> DownloadUrl(const std::string& url, const fs::path& dest_dir, const DownloadOptions& options) {
  Result<Download> download = DownloadWithCredentials(url, dest_dir, options);
  if (!download.ok()) return Redacted(download.status());
  download->url = WithoutCredentials(download->url);
  download->final_url = WithoutCredentials(download->final_url);
  return download;
}

}  // namespace triage::source
