// Request bodies under each route's limit: declared lengths checked first, bodies read in bounded pieces, and
// connections closed after an answer that left a body unread.
#include <fmt/format.h>
#include <strings.h>

#include "server/api.h"
#include "server/request_parsing.h"

namespace triage::server {

int64_t DeclaredLength(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return -1;
  return ParseContentLength(req.get_header_value("Content-Length"));
}

// A request with neither Content-Length nor chunked Transfer-Encoding has no body (RFC 9112, 6.3): `curl -X POST`
// without -d sends one, and it reads as an empty body. A Content-Length that does not parse still counts as a body,
// which then fails to read. The coding's name is read as cpp-httplib reads it, in any case ("Chunked"): a body it
// reads as chunked and the route took for none stayed on the connection, to be read as the next request.
bool HasBody(const httplib::Request& req) {
  return IsChunked(req) || (req.has_header("Content-Length") && DeclaredLength(req) != 0);
}

bool IsChunked(const httplib::Request& req) {
  return ::strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked") == 0;
}

void CloseAfterResponse(httplib::Response& res) {
  auto body = std::make_shared<std::string>(std::move(res.body));
  std::string type = res.get_header_value("Content-Type");
  res.body.clear();
  res.headers.erase("Content-Type");
  res.headers.erase("Content-Length");
  res.set_header("Connection", "close");
  if (body->empty()) *body = "{}";
  // httplib 0.11 closes a connection whose content provider reports failure; the provider has written the
  // whole answer by then, so the client gets it complete.
  res.set_content_provider(body->size(), type.empty() ? "application/json" : type,
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return false;
                           });
}

base::Status ReadBody(const httplib::ContentReader& reader, size_t max_bytes, std::string& body, bool& too_large) {
  too_large = false;
  bool ok = reader([&](const char* data, size_t size) {
    if (body.size() + size > max_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (too_large) return base::Status::InvalidArgument("the request body is too large");
  if (!ok) return base::Status::InvalidArgument("the request body is malformed or was cut off");
  return base::Status::Ok();
}

bool DiscardSmallBody(const httplib::Request& req, const httplib::ContentReader& reader) {
  int64_t declared = DeclaredLength(req);
  if (declared < 0 || declared > kMaxDiscardBytes) return false;
  auto drop = [](const char*, size_t) { return true; };
  if (req.is_multipart_form_data()) return reader([](const httplib::MultipartFormData&) { return true; }, drop);
  return reader(drop);
}

void SendTooLarge(httplib::Response& res, const Route& route) {
  SendError(res, 413, "payload_too_large",
            fmt::format("the request body is larger than the limit of {} bytes for {} {}", route.limits.max_body_bytes,
                        MethodName(route.method), route.path));
}

base::Status Call::ReadMultipart(const PartStartFn& start, const PartDataFn& data) {
  if (stream_ == nullptr || stream_->read) return base::Status::InvalidArgument("the request body was read already");
  if (!req_.is_multipart_form_data()) {
    return base::Status::InvalidArgument("send the body as multipart/form-data");
  }
  stream_->read = true;
  MultipartLimit limit(stream_->max_bytes);
  bool ok = (*stream_->reader)(
      [&](const httplib::MultipartFormData& part) { return limit.OnPart(start(part)); },
      [&](const char* bytes, size_t size) { return limit.OnData(size, [&] { return data(bytes, size); }); });
  stream_->too_large = limit.too_large();
  return limit.Result(ok);
}

}  // namespace triage::server
