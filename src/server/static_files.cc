// The embedded UI files, looked up by path; ETags are content hashes computed once.
#include "server/static_files.h"

#include <fmt/format.h>

#include <map>
#include <string>

#include "server/api.h"
#include "server/embedded_files.h"
#include "server/password.h"

namespace triage::server {
namespace {

std::string ContentType(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

// ETags of the embedded files, by path (immutable after first use).
const std::map<std::string, std::string>& ETags() {
  static const std::map<std::string, std::string> kTags = [] {
    std::map<std::string, std::string> tags;
    for (const EmbeddedFile* f = kWebAssets; f->path != nullptr; ++f) {
      std::string content(reinterpret_cast<const char*>(f->data), f->size);
      tags[f->path] = fmt::format("\"{}\"", Sha256Hex(content).substr(0, 32));
    }
    return tags;
  }();
  return kTags;
}

void ServeFile(const httplib::Request& req, httplib::Response& res, std::string path) {
  if (path.empty()) path = "index.html";
  const EmbeddedFile* file = FindEmbedded(kWebAssets, path);
  if (file == nullptr) return SendError(res, 404, "not_found", fmt::format("no such page: /{}", path));
  const std::string& etag = ETags().at(file->path);
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "no-cache");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.set_content(reinterpret_cast<const char*>(file->data), file->size, ContentType(path));
}

}  // namespace

std::string_view OpenApiJson() {
  const EmbeddedFile* doc = FindEmbedded(kOpenApiFiles, "openapi.json");
  return doc ? std::string_view(reinterpret_cast<const char*>(doc->data), doc->size) : std::string_view("{}");
}

void InstallStaticFiles(httplib::Server& server) {
  server.Get(R"(/(?!api/)(.*))", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.matches[1];
    if (path.find("..") != std::string::npos) return SendError(res, 404, "not_found", "no such page");
    ServeFile(req, res, path);
  });
}

}  // namespace triage::server
