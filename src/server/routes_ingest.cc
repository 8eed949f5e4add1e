// Ingest through the same pipeline as the CLI: uploads (multipart) and URLs.
#include <fmt/format.h>

#include "base/files.h"
#include "base/ids.h"
#include "model/json.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json OutcomeJson(const pipeline::ItemOutcome& o) {
  return {{"input", o.input},
          {"ok", o.ok},
          {"item_id", o.ok ? json(o.item_id) : json(nullptr)},
          {"path", o.path},
          {"decision", o.decision},
          {"error", o.error.ok() ? json(nullptr) : json(o.error.message())},
          {"error_code", o.error.ok() ? json(nullptr) : json(base::CodeName(o.error.code()))}};
}

// Writes an uploaded file into the staging folder under a random name (the original name is kept by the catalog).
base::Result<fs::path> StageUpload(const fs::path& staging_dir, const httplib::MultipartFormData& part) {
  std::string ext = base::LowerExtension(fs::path(part.filename));
  fs::path staged = staging_dir / (base::RandomId() + (ext.empty() ? "" : "." + base::SanitizeFileName(ext)));
  TRIAGE_RETURN_IF_ERROR(base::WriteFileDurably(staged, part.content));
  return staged;
}

base::Status Upload(ServerState& state, Call& call) {
  const auto& req = call.request();
  if (!req.is_multipart_form_data()) {
    return base::Status::InvalidArgument("send the images as multipart/form-data (one or more file fields)");
  }
  pipeline::IngestOptions options;
  options.source = req.has_file("source") ? req.get_file_value("source").content : "upload";
  if (options.source.empty() || options.source.size() > 100) {
    return base::Status::InvalidArgument("source: must be 1 to 100 characters");
  }
  options.actor = call.actor();
  json items = json::array();
  int placed = 0;
  for (const auto& [field, part] : req.files) {
    if (part.filename.empty()) continue;  // a plain form field
    auto staged = StageUpload(state.ctx.staging_dir, part);
    if (!staged.ok()) return staged.status();
    std::lock_guard ingest_lock(state.ingest_mu);
    pipeline::ItemOutcome outcome = state.ctx.ingestor.IngestStaged(*staged, part.filename, options);
    state.review_counts.Invalidate();  // the ingestor places or discards the staged upload
    placed += outcome.ok ? 1 : 0;
    items.push_back(OutcomeJson(outcome));
  }
  if (items.empty()) return base::Status::InvalidArgument("no file in the upload (send file fields)");
  call.Reply({{"items", items}, {"placed", placed}, {"failed", static_cast<int>(items.size()) - placed}});
  return base::Status::Ok();
}

base::Status IngestUrl(ServerState& state, Call& call) {
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("url") || !(*body)["url"].is_string()) return base::Status::InvalidArgument("url is required");
  std::string url = (*body)["url"];
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return base::Status::InvalidArgument("url: must start with http:// or https://");
  }
  pipeline::IngestOptions options;
  if (body->contains("source")) {
    if (!(*body)["source"].is_string()) return base::Status::InvalidArgument("source: must be a string");
    options.source = (*body)["source"];
  }
  options.actor = call.actor();
  const config::DownloadLimits limits = state.ctx.config.Current()->downloads;
  // Downloaded before taking the ingest lock: a slow remote server must not stall uploads and other URLs.
  auto fetched = pipeline::FetchUrl(url, limits, state.ctx.staging_dir);
  if (!fetched.ok()) {
    SendError(call.response(), 422, "ingest_failed", fetched.status().message());
    return base::Status::Ok();
  }
  std::lock_guard ingest_lock(state.ingest_mu);
  pipeline::ItemOutcome outcome = state.ctx.ingestor.IngestFetched(*fetched, options);
  state.review_counts.Invalidate();
  if (!outcome.ok) {
    return outcome.error;  // mapped to its HTTP status by code (a refused URL 400, a failed download 502, ...)
  }
  call.Reply({{"item", OutcomeJson(outcome)}});
  return base::Status::Ok();
}

}  // namespace

void AddIngestRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kPost, "/api/ingest", Permission::kReview, [&state](Call& c) { return Upload(state, c); },
             static_cast<size_t>(state.options.max_upload_bytes));
  router.Add(Method::kPost, "/api/ingest/url", Permission::kReview, [&state](Call& c) { return IngestUrl(state, c); });
}

}  // namespace triage::server
